"""The webhook delivery engine (issue 18): events become deliveries per endpoint
(dispatcher.py), due deliveries are claimed, signed per Standard Webhooks (signing.py), POSTed
(sender.py) and retried with growing delays (engine.py), by a thread in the server or by
procrastinate workers (worker.py). The rows are in store/webhooks.py and
store/webhook_deliveries.py."""
