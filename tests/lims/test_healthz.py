def test_it_answers_200_with_the_database_state(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}


def test_it_needs_no_login(client, db):
    assert client.get("/healthz").status_code == 200
