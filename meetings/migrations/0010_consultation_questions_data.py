"""Each consultation's one poll becomes its question no. 1, and the consultation takes the poll's
secret setting. Its own migration: on PostgreSQL, rows written in the transaction that then
alters the same table would leave "pending trigger events" (0009 and 0011 do the schema)."""

from django.db import migrations


def questions_from_polls(apps, schema_editor):
    Consultation = apps.get_model("meetings", "Consultation")
    ConsultationQuestion = apps.get_model("meetings", "ConsultationQuestion")
    consultations = Consultation.objects.filter(poll__isnull=False).select_related("poll")
    for consultation in consultations.iterator():
        ConsultationQuestion.objects.get_or_create(
            consultation=consultation, order=1, defaults={"poll_id": consultation.poll_id}
        )
        if consultation.secret != consultation.poll.secret:
            consultation.secret = consultation.poll.secret
            consultation.save(update_fields=["secret"])


def polls_from_questions(apps, schema_editor):
    """Back to one poll per consultation: question no. 1 stays, the others are removed (an
    earlier KyHop cannot show them), with their polls, options and ballots."""
    ConsultationQuestion = apps.get_model("meetings", "ConsultationQuestion")
    Poll = apps.get_model("meetings", "Poll")
    first = {}
    for question in ConsultationQuestion.objects.order_by("consultation_id", "order"):
        first.setdefault(question.consultation_id, question.poll_id)
    Consultation = apps.get_model("meetings", "Consultation")
    for consultation_id, poll_id in first.items():
        Consultation.objects.filter(pk=consultation_id).update(poll_id=poll_id)
    others = ConsultationQuestion.objects.exclude(poll_id__in=first.values())
    poll_ids = list(others.values_list("poll_id", flat=True))
    ConsultationQuestion.objects.all().delete()
    # Choices point at options with PROTECT: they go first, then the polls with the rest.
    apps.get_model("meetings", "BallotChoice").objects.filter(ballot__poll_id__in=poll_ids).delete()
    apps.get_model("meetings", "SecretChoice").objects.filter(poll_id__in=poll_ids).delete()
    Poll.objects.filter(pk__in=poll_ids).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0009_consultation_questions"),
    ]

    operations = [
        migrations.RunPython(questions_from_polls, polls_from_questions),
    ]
