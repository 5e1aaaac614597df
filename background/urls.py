from django.urls import path

from background import views

app_name = "background"

urlpatterns = [
    path("hop-thu-thu-nghiem/", views.mailbox, name="mailbox"),
    path("hop-thu-thu-nghiem/<str:name>/", views.mailbox_message, name="mailbox_message"),
    path("cong-viec-nen/", views.operations, name="operations"),
    path(
        "cong-viec-nen/<str:task_id>/chay-lai/",
        views.operations_task_retry,
        name="task_retry",
    ),
    path(
        "cong-viec-nen/thu/<int:mail_id>/gui-lai/", views.operations_mail_retry, name="mail_retry"
    ),
]
