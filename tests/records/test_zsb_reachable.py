"""The 专升本 list is scoped to every staff role (records:zsb_list): the counselor and the
college reach it from their navigation, as the registrar does, not only by its URL."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["counselor", "college_staff", "registrar"])
def test_staff_reach_the_zsb_list_from_the_navigation(client_for, world, who):
    home = client_for(getattr(world, who)).get("/").content.decode()

    nav = home.split("<nav")[1].split("</nav>")[0]
    assert 'href="/records/zsb/"' in nav
