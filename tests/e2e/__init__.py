"""End-to-end tests: a real Home Assistant, a real browser, a real MQTT broker."""
