from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from kit.errors import Conflict, field_error
from kit.problems import install_problem_handlers


class Thing(BaseModel):
    name: str = Field(min_length=1)
    size: int


def make_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things")
    def create(thing: Thing):
        if thing.name == "taken":
            raise Conflict("Name taken.", errors=[field_error("name", "already used")])
        return thing

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    return app


client = TestClient(make_app(), raise_server_exceptions=False)


def test_invalid_body_is_problem_json_naming_each_field():
    r = client.post("/things", json={"name": "", "size": "big"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 422 and body["type"].endswith("/invalid")
    assert {e["field"] for e in body["errors"]} == {"name", "size"}
    assert all(e["pointer"].startswith("/") for e in body["errors"])


def test_domain_error_keeps_its_status_and_field():
    r = client.post("/things", json={"name": "taken", "size": 1})
    assert r.status_code == 409
    assert r.json()["errors"] == [{"field": "name", "pointer": "/name", "detail": "already used"}]


def test_crash_is_a_500_problem_without_traceback():
    r = client.get("/boom")
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert "secret" not in r.text and "Traceback" not in r.text


def test_unknown_route_is_404_problem():
    r = client.get("/nope")
    assert r.status_code == 404 and r.json()["status"] == 404


def test_metrics_label_plain_routes_and_mounts_without_failing():
    from fastapi.staticfiles import StaticFiles
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from kit.observability import Metrics, RequestContextMiddleware

    app = FastAPI()
    metrics = Metrics("t")
    app.add_middleware(RequestContextMiddleware, metrics=metrics)

    async def plain(request):
        return PlainTextResponse("ok")

    app.router.routes.append(Route("/plain", plain))
    app.mount("/static", StaticFiles(directory=__import__("os").path.dirname(__file__)), name="static")
    c = TestClient(app)
    assert c.get("/plain").status_code == 200
    assert c.get("/static/__init__.py").status_code == 200
    text = metrics.response().body.decode()
    assert 'route="<plain>"' in text and 'route="<StaticFiles>"' in text
