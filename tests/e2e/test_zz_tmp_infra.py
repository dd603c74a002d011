import subprocess, sys, asyncio
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.core.mail import EmailMultiAlternatives, get_connection
from django_tenants.utils import schema_context

from accounts.models import User
from tests.e2e import conftest as e2e


def test_orm_and_async_to_sync_after_browser_calls(page, live_server, tenant_a, django_db_blocker):
    page.goto(live_server.url_for(tenant_a.host, "/login/"))
    page.title()
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        assert User.objects.filter(email=tenant_a.owner_email).exists()
    async def f():
        return 42
    assert async_to_sync(f)() == 42
    page.goto(live_server.url_for(tenant_a.host, "/login/"))
    assert "Acme" in page.title()


def test_mail_parsing(tmp_path):
    conn = get_connection("django.core.mail.backends.filebased.EmailBackend", file_path=str(tmp_path))
    m1 = EmailMultiAlternatives("First", "Hi\n" + "-" * 79 + "\nNote: go to https://acme.localhost:1/invite/abc/. Or http://x/other", "a@b.test", ["Bob <Bob@Acme.test>"])
    m1.attach_alternative("<p>html https://acme.localhost:1/html-only/</p>", "text/html")
    m2 = EmailMultiAlternatives("Second", "Reset: http://acme.localhost:1/reset/xyz/\n", "a@b.test", ["bob@acme.test"], cc=["c@c.test"])
    m3 = EmailMultiAlternatives("Ünïcode subject", "Grüße http://globex.localhost:1/reset/q=1&x=2", "a@b.test", ["carol@globex.test"])
    conn.send_messages([m1, m2])
    conn2 = get_connection("django.core.mail.backends.filebased.EmailBackend", file_path=str(tmp_path))
    conn2.send_messages([m3])
    # a partial message being written
    (tmp_path / "zzz-partial.log").write_bytes(b"Content-Type: text/plain\nTo: bob@acme.test\n\nhttp://acme.localhost:1/reset/partial/")
    server = e2e.LiveServer(port=1, mail_dir=tmp_path, log_path=tmp_path / "x")
    mails = server.read_mails()
    print([ (m["subject"], m["to"]) for m in mails], [p.name for p in tmp_path.iterdir()])
    assert [m["subject"] for m in mails] == ["First", "Second", "Ünïcode subject"]
    assert server.latest_link("bob@acme.test", "/reset/") == "http://acme.localhost:1/reset/xyz/"
    assert server.latest_link("c@c.test", "/reset/") == "http://acme.localhost:1/reset/xyz/"
    assert server.latest_link("carol@globex.test", "/reset/") == "http://globex.localhost:1/reset/q=1&x=2"
    with pytest.raises(AssertionError) as exc:
        server.latest_link("bob@acme.test", "/invite/", timeout=0.5)
    print(exc.value)
    # first mail alone
    assert e2e.LiveServer(port=1, mail_dir=tmp_path, log_path=tmp_path).read_mails()[0].get_body(("plain",)).get_content().count("-" * 79) == 1


def test_server_start_failure_has_log_tail(tmp_path):
    log = tmp_path / "log"
    log.write_text("line1\nboom: port in use\n")
    proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(RuntimeError) as exc:
        e2e.wait_for_server(proc, 1, log, timeout=5)
    print(exc.value)
    assert "boom: port in use" in str(exc.value)
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(10)"])
    with pytest.raises(RuntimeError) as exc:
        e2e.wait_for_server(proc, 1, log, timeout=1)
    proc.kill()
    print(exc.value)
