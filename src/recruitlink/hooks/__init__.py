"""The webhook delivery engine (issue 18): events become deliveries per endpoint, due
deliveries are claimed, signed per Standard Webhooks (signing.py), POSTed (sender.py) and
retried with growing waits (engine.py), by a thread in the server or by procrastinate workers
(worker.py). The SQL is in store/webhooks.py (endpoints, the delivery log, replays) and
store/webhook_deliveries.py (dispatch, claims, outcomes)."""
