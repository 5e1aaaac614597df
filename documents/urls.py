from django.urls import path

from documents import views
from documents.incoming import views as incoming_views
from documents.reader import notes as note_views
from documents.records import views as record_views
from documents.register import views as register_views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("dang-ky/", views.document_create, name="create"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/doc/", views.document_viewer, name="viewer"),
    path("<int:pk>/phien-ban/", views.version_add, name="version_add"),
    path("<int:pk>/phien-ban/<int:number>/doc/", views.document_viewer, name="version_viewer"),
    path("<int:pk>/phien-ban/<int:number>/tep.pdf", views.version_file, name="version_file"),
    path(
        "<int:pk>/phien-ban/<int:number>/ban-doc.pdf",
        views.version_reading_file,
        name="version_reading_file",
    ),
    path(
        "<int:pk>/phien-ban/<int:number>/tep-goc", views.version_original, name="version_original"
    ),
    # A reader's private notes (JSON for the reader).
    path("<int:pk>/ghi-chu/", note_views.notes, name="notes"),
    path("<int:pk>/ghi-chu/<int:note_id>/", note_views.note_update, name="note_update"),
    path("<int:pk>/ghi-chu/<int:note_id>/xoa/", note_views.note_delete, name="note_delete"),
    # Distribution to the recipients ("Nơi nhận") and the incoming register (sổ văn bản đến).
    path("<int:pk>/gui-noi-nhan/", incoming_views.document_distribute_view, name="distribute"),
    path("so-van-ban-den/", incoming_views.incoming_list, name="register_incoming"),
    # Work records (hồ sơ công việc).
    path("so-van-ban-di/", register_views.register_list, name="register_list"),
    path("so-van-ban-di/tai-ve.csv", register_views.register_export_csv, name="register_csv"),
    path("so-van-ban-di/tai-ve.xlsx", register_views.register_export_xlsx, name="register_xlsx"),
    path("ho-so/", record_views.record_list, name="record_list"),
    path("ho-so/lap/", record_views.record_open, name="record_open"),
    path("ho-so/<int:pk>/", record_views.record_detail, name="record_detail"),
    path("ho-so/<int:pk>/them/", record_views.record_add_document, name="record_add"),
    path("ho-so/<int:pk>/dong/", record_views.record_close, name="record_close"),
]
