// A browser window for the tests (imported before each test file runs, so
// Lit finds the DOM when it loads).
import { GlobalRegistrator } from "@happy-dom/global-registrator";

GlobalRegistrator.register({ url: "http://homeassistant.local:8123/" });
