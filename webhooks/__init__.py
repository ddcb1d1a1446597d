"""Outbound webhooks: subscriptions, signed event deliveries through the outbox, SSRF rules.

An app above this one publishes an event with `webhooks.services.event_publish` inside
the transaction of the change: one outbox row per matching active subscription (the
owners' and every staff user's), delivered by the outbox worker through the "webhook"
channel (`webhooks.delivery`), signed per the Standard Webhooks spec.
"""
