from django.urls import path

from satuatap.queueing import views

app_name = "queueing"
urlpatterns = [
    path("", views.index, name="index"),
    # public, per office
    path("kiosk/<str:office>/", views.kiosk, name="kiosk"),
    path("kiosk/<str:office>/ticket/<str:token>/", views.kiosk_ticket, name="kiosk_ticket"),
    path("board/<str:office>/", views.board, name="board"),
    path("board/<str:office>/events/", views.board_events, name="board_events"),
    path("board/<str:office>/state.json", views.board_json, name="board_json"),
    path("book/<str:office>/", views.book, name="book"),
    path("appointment/<str:code>/", views.appointment, name="appointment"),
    path("t/<str:token>/", views.ticket_status, name="ticket"),
    path("t/<str:token>/ticket.pdf", views.ticket_pdf, name="ticket_pdf"),
    # desk officers
    path("counter/", views.counter, name="counter"),
    path("counter/<slug:action>/", views.counter_act, name="counter_act"),
    # office heads and monitors
    path("stats/", views.stats, name="stats"),
]
