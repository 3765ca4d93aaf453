"""The banner of an open identity claim against the person who opens a page."""

from django import template

from accounts.services.claim_messages import claims_against

register = template.Library()


@register.simple_tag
def open_claims_against(user):
    """Only called when user.claim_alert_at is set: other people's pages cost nothing."""
    return claims_against(user)
