from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.demo import demo_password, seed_demo_users
from accounts.demo_large import seed_large_demo
from agreement.seed import seed_agreement
from cost_recovery.demo import seed_cost_recovery_demo
from penalties.demo import seed_penalties_demo
from plans.demo import seed_demo_plans
from reports.seed import seed_public_inventories


class Command(BaseCommand):
    help = (
        "Load the agreement, the demo users, the public emissions figures and the "
        "illustrative plan and penalties demos (idempotent). --scale large adds the large "
        "illustrative data set for measuring performance (10,000 milestones, 100,000 audit "
        "events; see BENCHMARKS.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=["small", "large"],
            default="small",
            help="small: the demo (default); large: also the large illustrative data set.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed_agreement()
        users = seed_demo_users()
        figures = seed_public_inventories()
        self.stdout.write(f"Public emissions figures: {figures} created.")
        seed_penalties_demo()
        seed_cost_recovery_demo()
        self.stdout.write(f"Demo logins (password: {demo_password()} unless changed):")
        for user, created in users:
            state = "created" if created else "exists"
            self.stdout.write(f"  {user.username:<15} {user.get_role_display():<22} [{state}]")
        demo_plan = seed_demo_plans()
        if demo_plan is not None:
            self.stdout.write(f"Illustrative demo plan: {demo_plan} (invented figures, not real)")
        if options["scale"] == "large":
            self.stdout.write("Large illustrative data set (invented, not real records):")
            seed_large_demo(out=self.stdout)
