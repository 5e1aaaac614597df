from django.urls import path

from signing.backends import views as identity_views
from signing.bulk import views as bulk_views
from signing.requests import views

app_name = "signing"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("trinh/<int:pk>/", views.request_new_latest, name="request_new_latest"),
    path("trinh/<int:pk>/<int:number>/", views.request_new, name="request_new"),
    path("yeu-cau/<int:pk>/", views.request_detail, name="request_detail"),
    path("yeu-cau/<int:pk>/gui/", views.request_send_view, name="request_send"),
    path("yeu-cau/<int:pk>/cap-so/", views.request_number_view, name="request_number"),
    path("yeu-cau/<int:pk>/huy/", views.request_cancel_view, name="request_cancel"),
    path("yeu-cau/<int:pk>/han-xu-ly/", views.request_deadline_view, name="request_deadline"),
    path(
        "yeu-cau/<int:pk>/ho-so-hoan-thanh.pdf",
        views.request_record_pdf,
        name="request_record_pdf",
    ),
    path("ky-hang-loat/", bulk_views.bulk_sign_view, name="bulk_sign"),
    path("buoc/<int:pk>/ky/", views.step_sign_view, name="step_sign"),
    path("buoc/<int:pk>/tra-lai/", views.step_return_view, name="step_return"),
    path("buoc/<int:pk>/uy-quyen/", views.step_delegate_view, name="step_delegate"),
    path("chung-thu/<int:pk>/anh/", identity_views.identity_image_view, name="identity_image"),
]
