"""Every web role's container serves /health/ on its own port, with production settings (DEBUG off)."""
import subprocess

from shop.platform.topology import APPS

ROLES = {"monolith": {"shop": "monolith"}, "split": {"gateway": "gateway", **{app: app for app in APPS}}}
PROBE = ("import django; django.setup(); import urllib.request; from django.conf import settings; "
         "from shop.platform.topology import PORTS, current_role; "
         "answer = urllib.request.urlopen(f'http://127.0.0.1:{PORTS[current_role()]}/health/', timeout=10); "
         "print(current_role(), PORTS[current_role()], settings.DEBUG, answer.status)")


def test_every_role_serves_health_on_its_port_with_production_settings(deployment):
    for service, role in ROLES[deployment.topology].items():
        result = subprocess.run(["podman", "exec", "--env", "DJANGO_SETTINGS_MODULE=shop.settings",
                                 deployment.container(service), "python", "-c", PROBE],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        answered_role, port, debug, status = result.stdout.split()
        assert (answered_role, debug, status) == (role, "False", "200"), result.stdout
        print(f"[containers] {service}: role {role}, /health/ 200 on :{port}, DEBUG off")
