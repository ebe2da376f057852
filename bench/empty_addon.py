"""For reference in `make bench`: an addon with the CORS addon's hooks that does nothing.

It measures what mitmproxy charges any `-s` script per flow (dispatching each event
through the script's module), apart from what the CORS addon itself does."""


class Empty:
    def request(self, flow):
        pass

    def responseheaders(self, flow):
        pass

    def response(self, flow):
        pass

    def error(self, flow):
        pass


addons = [Empty()]
