"""Constants of the API contract that light modules (config, connection) need."""

DEFAULT_BASE_URL = "https://console.axomlabs.ai/api"
