"""Telling a person something about their account: by SMS when they have a phone,
by e-mail otherwise, after the transaction commits (never for a rolled-back change)."""

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.sms import send_sms

logger = logging.getLogger(__name__)


def notify(user, text: str) -> None:
    phone, email, user_id = user.phone, user.email, user.pk

    def send():
        # docs/quality.md "Messages after commit": a gateway outage never fails a request,
        # nor stops the other callbacks of the commit (a sweep of due claims goes on). Each
        # channel is tried on its own and a failure is logged (issue 17 moves messages to
        # the task queue, with retries).
        if phone:
            try:
                send_sms(phone, f"【学籍校对】{text}")
            except Exception:
                logger.exception("notify: the text to account %s was not sent", user_id)
        if email:
            try:
                send_mail(_("学籍校对账号通知"), text, None, [email])
            except Exception:
                logger.exception("notify: the e-mail to account %s was not sent", user_id)

    transaction.on_commit(send, robust=True)
