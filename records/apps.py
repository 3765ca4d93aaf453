from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("学籍学历")

    def ready(self):
        from portal.lib.audit_labels import register
        from records import (
            audit_labels,
            progress,  # noqa: F401  (its receivers keep check_result)
        )

        register(
            actions=audit_labels.ACTIONS, fields=audit_labels.FIELDS, values=audit_labels.VALUES
        )
        from accounts.identity_routes import ProofRoute, register_proof_route
        from accounts.transfer import register_transfer
        from records.identity.forms import ClassmateForm, FactsForm
        from records.transfers import move_records

        register_transfer(move_records)
        # The identity page's 途径一 and 途径二, in this order (records.identity).
        register_proof_route(ProofRoute(FactsForm, "records/identity/_facts.html"))
        register_proof_route(ProofRoute(ClassmateForm, "records/identity/_classmate.html"))
