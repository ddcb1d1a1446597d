"""The transactional outbox: e-mails, SMS and webhooks as rows, delivered by the job engine.

An app writes a message in the same transaction as the change that causes it
(`outbox.services.message_enqueue`, or `outbox.email.email_enqueue`), so a message
exists exactly when its change committed. After commit the job queue is woken; a
periodic sweep picks up every due row as well, so a lost queue message or a crashed
worker delays a message but never loses it. Each channel ("email", "sms", "webhook")
registers a sender in `outbox.channels`.
"""
