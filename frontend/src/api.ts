/** The integration's websocket commands (timeline/websocket.py). */
export const LIST = "ollama_vision/timeline/list";
export const SUBSCRIBE = "ollama_vision/timeline/subscribe";
