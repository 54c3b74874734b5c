"""ETag, If-Match, Location and Link from kit.conditional, on a small app of real routes."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from kit.conditional import ConditionalMiddleware, etag_of, matches
from kit.pagination import PageDep
from kit.problems import install_problem_handlers
from kit.query import Page
from kit.testing import problem


class Thing(BaseModel):
    id: int
    name: str


class ThingList(Page[Thing]):
    pass


def make_app() -> FastAPI:
    things: dict[int, Thing] = {1: Thing(id=1, name="one")}
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(ConditionalMiddleware)

    @app.get("/api/v1/things")
    def list_things(page: PageDep) -> ThingList:
        rows = sorted(things.values(), key=lambda t: t.id)
        return ThingList.of(rows[page.offset : page.offset + page.limit], len(rows), page)

    @app.post("/api/v1/things", status_code=201)
    def create_thing(thing: Thing) -> Thing:
        things[thing.id] = thing
        return thing

    @app.get("/api/v1/things/{thing_id}")
    def get_thing(thing_id: int) -> Thing:
        return things[thing_id]

    @app.patch("/api/v1/things/{thing_id}")
    def rename_thing(thing_id: int, request: Request, name: str) -> Thing:
        things[thing_id] = Thing(id=thing_id, name=name)
        return things[thing_id]

    settings = {"colour": "green"}

    @app.get("/api/v1/thing-settings")
    def get_settings() -> dict:
        return settings

    @app.put("/api/v1/thing-settings")
    def put_settings(colour: str) -> dict:
        settings["colour"] = colour
        return settings

    @app.delete("/api/v1/things/{thing_id}/parts/{part}", status_code=204)
    def delete_part(thing_id: int, part: int) -> None:
        things[thing_id] = Thing(id=thing_id, name=things[thing_id].name + "-")

    return app


def test_every_json_answer_has_the_etag_of_its_bytes():
    client = TestClient(make_app())
    r = client.get("/api/v1/things/1")
    assert r.headers["etag"] == etag_of(r.content)
    assert r.headers["etag"].startswith('"') and not r.headers["etag"].startswith("W/")


def test_if_match_passes_with_the_current_etag_and_refuses_a_stale_one():
    client = TestClient(make_app())
    tag = client.get("/api/v1/things/1").headers["etag"]
    r = client.patch("/api/v1/things/1?name=two", headers={"If-Match": tag})
    assert r.status_code == 200 and r.json()["name"] == "two"
    assert r.headers["etag"] == client.get("/api/v1/things/1").headers["etag"] != tag
    stale = client.patch("/api/v1/things/1?name=three", headers={"If-Match": tag})
    problem(stale, 412)
    assert client.get("/api/v1/things/1").json()["name"] == "two"
    assert client.patch("/api/v1/things/1?name=four", headers={"If-Match": "*"}).status_code == 200
    assert client.patch("/api/v1/things/1?name=five").status_code == 200  # If-Match is optional


def test_a_write_below_a_record_is_checked_against_the_record():
    client = TestClient(make_app())
    tag = client.get("/api/v1/things/1").headers["etag"]
    problem(client.delete("/api/v1/things/1/parts/3", headers={"If-Match": '"stale"'}), 412)
    assert client.delete("/api/v1/things/1/parts/3", headers={"If-Match": tag}).status_code == 204
    problem(client.delete("/api/v1/things/1/parts/3", headers={"If-Match": tag}), 412)


def test_a_settings_resource_without_an_id_is_its_own_record():
    client = TestClient(make_app())
    tag = client.get("/api/v1/thing-settings").headers["etag"]
    problem(client.put("/api/v1/thing-settings?colour=red", headers={"If-Match": '"stale"'}), 412)
    assert client.get("/api/v1/thing-settings").json() == {"colour": "green"}
    assert client.put("/api/v1/thing-settings?colour=red", headers={"If-Match": tag}).status_code == 200
    problem(client.put("/api/v1/thing-settings?colour=blue", headers={"If-Match": tag}), 412)


def test_created_answers_carry_location_and_lists_a_next_link():
    client = TestClient(make_app())
    for n in range(2, 6):
        r = client.post("/api/v1/things", json={"id": n, "name": f"n{n}"})
        assert r.status_code == 201 and r.headers["location"] == f"/api/v1/things/{n}"
    page = client.get("/api/v1/things?limit=2&sort=name")
    body = page.json()
    assert body["next"] == "/api/v1/things?sort=name&limit=2&offset=2"
    assert page.headers["link"] == '</api/v1/things?sort=name&limit=2&offset=2>; rel="next"'
    last = client.get("/api/v1/things?limit=2&offset=4").json()
    assert last["next"] is None and "link" not in client.get("/api/v1/things?limit=2&offset=4").headers


def test_if_match_lists_and_weak_tags():
    assert matches('"a", "b"', '"b"')
    assert matches("*", '"x"')
    assert not matches('W/"b"', '"b"')
    assert not matches('"b"', None)
