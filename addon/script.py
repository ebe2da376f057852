"""The `-s` script of an installed cors-addon: `mitmproxy -s "$(cors-addon script)"` (mitmweb, mitmdump too)."""

from addon.mitm.addon import CorsAddon

addons = [CorsAddon()]
