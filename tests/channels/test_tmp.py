import pytest
pytestmark = pytest.mark.django_db
def test_world(world):
    from tests.channels.world import member
    assert member(world.bob, world.secret)
    assert world.admin.is_system_admin and not world.owner.is_system_admin
    print(world.dm.name, world.group.name, world.group.display_name)
