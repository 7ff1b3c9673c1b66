"""Cached fairness reports: one row per conference, stage and viewer scope.

A report is computed from the conference's decision table (``fairness.selectors``) and stored
with the fingerprint of its input; a page shows the stored report while the fingerprint still
matches and recomputes it when it does not (``fairness.services``). The JSON is the raw report,
before small cells are suppressed: suppression is applied when it is shown or exported.
"""

from typing import ClassVar

from django.db import models

from expo.conferences.models import Conference


class ReportStage(models.TextChoices):
    REVIEWED = "reviewed", "Submitted → reviewed"
    ACCEPTED = "accepted", "Reviewed → accepted"
    MODEL = "model", "Relevance model"


class FairnessReport(models.Model):
    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="fairness_reports"
    )
    stage = models.CharField(max_length=20, choices=ReportStage.choices)
    parameters_key = models.CharField(
        max_length=64,
        help_text="sha256 of the parameters and of the set of proposals left out for the "
        "viewer's conflicts; viewers with the same conflicts share a row.",
    )
    parameters = models.JSONField(default=dict)
    input_fingerprint = models.CharField(
        max_length=64, help_text="sha256 of the decision table the report was computed from."
    )
    report = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    compute_seconds = models.FloatField(default=0.0)

    class Meta:
        ordering: ClassVar = ["conference", "stage", "-computed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "stage", "parameters_key"],
                name="fairness_report_once_per_scope",
            )
        ]

    def __str__(self) -> str:
        when = f"{self.computed_at:%Y-%m-%d %H:%M}"
        return f"{self.get_stage_display()} report of {self.conference} ({when})"
