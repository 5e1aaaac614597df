from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("tao/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/tra-loi/", views.rsvp, name="rsvp"),
    path("<int:pk>/chuan-bi/", views.meeting_prepare, name="prepare"),
    path("<int:pk>/chuan-bi/tra-loi/", views.rsvp_panel, name="rsvp_panel"),
    path("<int:pk>/chuan-bi/sua/", views.meeting_update, name="update"),
    path("<int:pk>/chuan-bi/muc/", views.item_add, name="item_add"),
    path("<int:pk>/chuan-bi/muc/sap-xep/", views.agenda_reorder, name="agenda_reorder"),
    path("<int:pk>/chuan-bi/muc/<int:item_id>/di-chuyen/", views.item_move, name="item_move"),
    path("<int:pk>/chuan-bi/muc/<int:item_id>/xoa/", views.item_delete, name="item_delete"),
    path(
        "<int:pk>/chuan-bi/muc/<int:item_id>/dinh-kem/",
        views.document_attach,
        name="document_attach",
    ),
    path(
        "<int:pk>/chuan-bi/muc/<int:item_id>/tai-len/",
        views.document_upload,
        name="document_upload",
    ),
    path(
        "<int:pk>/chuan-bi/muc/<int:item_id>/bo-tai-lieu/",
        views.document_detach,
        name="document_detach",
    ),
    path("<int:pk>/chuan-bi/moi-co-quan/", views.invite_body, name="invite_body"),
    path("<int:pk>/chuan-bi/moi-ca-nhan/", views.invite_person, name="invite_person"),
    path(
        "<int:pk>/chuan-bi/nguoi-du/<int:participant_id>/bo/",
        views.participant_remove,
        name="participant_remove",
    ),
    path("<int:pk>/chuan-bi/gui-giay-moi/", views.send_invitations, name="send_invitations"),
    path("<int:pk>/chuan-bi/huy/", views.cancel, name="cancel"),
]
