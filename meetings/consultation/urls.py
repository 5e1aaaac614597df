from django.urls import path

from meetings.consultation import views

# Included in meetings/urls.py under the meetings namespace.
urlpatterns = [
    path("lay-y-kien/", views.consultation_list, name="consultation_list"),
    path("lay-y-kien/tao/", views.consultation_create, name="consultation_create"),
    path("lay-y-kien/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("lay-y-kien/<int:pk>/sua/", views.consultation_edit, name="consultation_edit"),
    path(
        "lay-y-kien/<int:pk>/cau-hoi/them/",
        views.consultation_question_add,
        name="consultation_question_add",
    ),
    path(
        "lay-y-kien/<int:pk>/cau-hoi/<int:question_id>/sua/",
        views.consultation_question_edit,
        name="consultation_question_edit",
    ),
    path(
        "lay-y-kien/<int:pk>/cau-hoi/<int:question_id>/chuyen/",
        views.consultation_question_move,
        name="consultation_question_move",
    ),
    path(
        "lay-y-kien/<int:pk>/cau-hoi/<int:question_id>/xoa/",
        views.consultation_question_remove,
        name="consultation_question_remove",
    ),
    path(
        "lay-y-kien/<int:pk>/tai-lieu/",
        views.consultation_documents,
        name="consultation_documents",
    ),
    path("lay-y-kien/<int:pk>/gui/", views.consultation_send, name="consultation_send"),
    path("lay-y-kien/<int:pk>/nhac/", views.consultation_remind, name="consultation_remind"),
    path("lay-y-kien/<int:pk>/ket-thuc/", views.consultation_close, name="consultation_close"),
    path("lay-y-kien/<int:pk>/tra-loi/", views.consultation_answer, name="consultation_answer"),
    path("lay-y-kien/<int:pk>/ket-qua.pdf", views.consultation_sheet, name="consultation_sheet"),
]
