from django.urls import path

from satuatap.cards import views

app_name = "cards"
urlpatterns = [
    # checkpoint officers (and any officer who wants to check a card)
    path("checkpoint/", views.checkpoint, name="checkpoint"),
    path("stopped/", views.stopped, name="stopped"),
    # staff
    path("", views.card_list, name="list"),
    path("card/<str:number>/", views.detail, name="detail"),
    path("card/<str:number>/pdf/", views.detail_pdf, name="detail_pdf"),
    path("card/<str:number>/revoke/", views.revoke, name="revoke"),
    path("abroad/", views.abroad, name="abroad"),
    path("abroad.csv", views.abroad_csv, name="abroad_csv"),
    path("abroad/<str:case_number>/return/", views.abroad_return, name="abroad_return"),
    path("offline/", views.offline_kit, name="offline"),
    # the worker's card (the link holds the signed token)
    path("c/<str:token>/", views.mobile_card, name="mobile"),
    path("c/<str:token>/pdf/", views.mobile_card_pdf, name="mobile_pdf"),
    path("m/<str:number>/<str:code>/", views.mobile_card_short, name="mobile_short"),
    # public, for offline checkpoints
    path("keys.json", views.public_keys, name="keys"),
    path("keys/download/", views.keys_download, name="keys_download"),
    path("revocations.json", views.revocation_list, name="revocations"),
    path("verifier.html", views.verifier, name="verifier"),
]
