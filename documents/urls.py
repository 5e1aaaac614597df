from django.urls import path

from documents import views

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
]
