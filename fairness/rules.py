"""Who may open a conference's fairness dashboard: its cochairs and admins (docs/roles.md).

Conflicts do not close the dashboard: they shrink what a cochair sees on it (see
``fairness.selectors.hidden_proposal_ids``).
"""

import rules

from expo.rules import is_admin
from reviews.rules import chairs_conference

rules.add_perm("fairness.view_dashboard", chairs_conference | is_admin)
