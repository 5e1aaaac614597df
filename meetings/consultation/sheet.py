"""The result sheet of a written consultation, in the Decree 30 layout (PDF/A via WeasyPrint),
made the same way as a meeting's vote sheet: each question with its counts, its chart and its
conclusion."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from documents.rendering import AdministrativeDocument, Signer, render
from meetings.access import refuse
from meetings.consultation.facts import body_chair_name, consultation_facts
from meetings.minutes.charts import Bar, bar_chart_svg, svg_data_url
from meetings.models import Consultation, ConsultationStatus


def consultation_sheet_document(consultation: Consultation) -> AdministrativeDocument:
    body = consultation.body
    facts = consultation_facts(consultation)
    questions = [{**question, "chart": _chart(question)} for question in facts["questions"]]
    html = render_to_string(
        "meetings/consultation/sheet_body.html",
        {"c": facts, "questions": questions, "body": body},
    )
    return AdministrativeDocument(
        parent_body=body.parent.name if body.parent else "",
        issuing_body=body.name,
        number_symbol=f"/KQ-{body.symbol}",
        date=timezone.localtime(consultation.closed_at or timezone.now()).date(),
        place_name=body.place_name or "Bắc Ninh",
        document_type="Kết quả lấy ý kiến",
        abstract=consultation.title,
        body_html=html,
        signers=(
            Signer(position="Chủ trì", full_name=body_chair_name(consultation), field_id="chair"),
        ),
        recipients=("Các thành viên được lấy ý kiến;", "Lưu: VT."),
    )


def _chart(question: dict[str, Any]) -> str:
    bars = [Bar(o["label"], o["count"], o["percent"]) for o in question["options"]]
    return svg_data_url(bar_chart_svg(bars, bar_height=22))


def consultation_sheet_pdf(consultation: Consultation) -> bytes:
    if consultation.status != ConsultationStatus.CLOSED:
        refuse(gettext("Chỉ có kết quả khi đã kết thúc lấy ý kiến."))
    return render(consultation_sheet_document(consultation)).pdf
