from django.urls import path

from meetings.consultation.urls import urlpatterns as consultation_urls
from meetings.live import views as live_views
from meetings.minutes import views as minutes_views
from meetings.preparation import views

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
    path("<int:pk>/chuan-bi/muc/<int:item_id>/sua/", views.item_update, name="item_update"),
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
    path(
        "<int:pk>/chuan-bi/nguoi-du/<int:participant_id>/vai-tro/",
        views.participant_role,
        name="participant_role",
    ),
    path("<int:pk>/chuan-bi/gui-giay-moi/", views.send_invitations, name="send_invitations"),
    path(
        "<int:pk>/chuan-bi/xem-truoc/<slug:which>.pdf",
        views.invitation_preview,
        name="invitation_preview",
    ),
    path("<int:pk>/chuan-bi/nhac-tra-loi/", views.invitees_remind, name="invitees_remind"),
    path("<int:pk>/chuan-bi/huy/", views.cancel, name="cancel"),
]

# The live meeting: the meeting page, the chair's commands, QR check-in.
urlpatterns += [
    path("<int:pk>/truc-tiep/", live_views.live_page, name="live"),
    path("<int:pk>/truc-tiep/man-hinh/", live_views.room_screen, name="live_screen"),
    path("<int:pk>/truc-tiep/lenh/<slug:action>/", live_views.live_command, name="live_command"),
    path("<int:pk>/truc-tiep/truc-tuyen/", live_views.join_remote, name="join_remote"),
    path("<int:pk>/truc-tiep/ma-phong.svg", live_views.room_qr, name="room_qr"),
    path(
        "<int:pk>/truc-tiep/ma/<int:participant_id>.svg",
        live_views.personal_qr,
        name="personal_qr",
    ),
    path("diem-danh/phong/<str:token>/", live_views.checkin_room, name="checkin_room"),
    path("diem-danh/ca-nhan/<str:token>/", live_views.checkin_personal, name="checkin_personal"),
]

# After the meeting: minutes, vote sheets, the pack, archiving, statistics.
urlpatterns += [
    path("<int:pk>/bien-ban/", minutes_views.minutes_edit, name="minutes_edit"),
    path("<int:pk>/bien-ban/xem.pdf", minutes_views.minutes_preview, name="minutes_preview"),
    path("<int:pk>/bien-ban/trinh-ky/", minutes_views.minutes_send, name="minutes_send"),
    path(
        "<int:pk>/thong-bao-ket-luan/",
        minutes_views.conclusion_notice,
        name="conclusion_notice",
    ),
    path("<int:pk>/luu-tru/", minutes_views.archive, name="archive"),
    path(
        "<int:pk>/bieu-quyet/<int:poll_id>/ket-qua.pdf",
        minutes_views.vote_sheet,
        name="vote_sheet",
    ),
    path("<int:pk>/tai-lieu.zip", minutes_views.pack_zip, name="pack_zip"),
    path("<int:pk>/tai-lieu.pdf", minutes_views.pack_pdf, name="pack_pdf"),
    path("thong-ke/", minutes_views.statistics, name="statistics"),
    path("thong-ke.csv", minutes_views.statistics_csv, name="statistics_csv"),
]

# Written consultation (phiếu lấy ý kiến), outside any meeting.
urlpatterns += consultation_urls
