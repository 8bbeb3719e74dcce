"""The secret key of the test session (conftest puts it in the environment, so `recruitlink`
subprocesses inherit it). Long enough for keys.check; never a production key."""

TEST_SECRET_KEY = "recruitlink-test-session-secret-key-not-for-production"
