"""The JavaScript SDK's widgets (onboarding, profile) served to a host page: pages.py mounts
them; access.py decides which page may use which app."""
