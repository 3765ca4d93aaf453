"""Telling a person something about their account: by SMS when they have a phone, and
by e-mail when they have an address. The messages are queued in the caller's transaction
and sent by the worker after commit (accounts.outbox): never for a rolled-back change,
and a gateway outage never fails the request (docs/quality.md "Messages after commit")."""

from django.utils.translation import gettext as _

from accounts.models import MessageChannel, MessageKind, OutboxMessage
from accounts.outbox import message_queue


def notify(user, text: str, *, kind: str = MessageKind.NOTICE) -> list[OutboxMessage]:
    """Queue the text to the account's phone and e-mail; returns the messages queued."""
    queued = []
    if user.phone:
        queued.append(
            message_queue(
                channel=MessageChannel.SMS,
                destination=user.phone,
                kind=kind,
                body=f"【学籍校对】{text}",
                params={"text": text},
                user=user,
            )
        )
    if user.email:
        queued.append(
            message_queue(
                channel=MessageChannel.EMAIL,
                destination=user.email,
                kind=kind,
                subject=_("学籍校对账号通知"),
                body=text,
                user=user,
            )
        )
    return queued
