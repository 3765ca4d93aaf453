"""Telling a person something about their account: by SMS when they have a phone,
by e-mail otherwise, after the transaction commits (never for a rolled-back change)."""

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.sms import send_sms


def notify(user, text: str) -> None:
    phone, email = user.phone, user.email

    def send():
        if phone:
            send_sms(phone, f"【学籍校对】{text}")
        if email:
            send_mail(_("学籍校对账号通知"), text, None, [email])

    transaction.on_commit(send)
