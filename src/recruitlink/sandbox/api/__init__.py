"""LinkedIn's API as the sandbox serves it: OAuth, Rest.li over HTTP, the `/v2` resources and
their handlers (resources.py), the versioned `/rest` family translated onto them
(versioned.py), and what limits them (throttles, injected faults)."""
