"""Every table of Tremplin; importing this package registers them all on `Base.metadata`."""

from storage.models.accounts import (
    Account,
    AuditEntry,
    CannedReply,
    ConsoleSecret,
    LoginAttempt,
    ReferralNote,
)
from storage.models.base import Base, UTCDateTime, utcnow
from storage.models.careers import SavedCareer
from storage.models.coaching import (
    CoachConsent,
    CoachProfile,
    PartnerProgramme,
    Referral,
    ReferralMessage,
    WebhookAttempt,
    WebhookDelivery,
)
from storage.models.conversation import ConversationEntry, ConversationWords
from storage.models.events import Event
from storage.models.navigation import Navigation
from storage.models.nudges import Nudge, NudgeBudget
from storage.models.retention import AnonymousEvent, JobLease
from storage.models.tallies import DashboardTally, DashboardValue
from storage.models.texts import TextOverride
from storage.models.updates import SeenUpdate
from storage.models.users import User

__all__ = [
    "Account",
    "AnonymousEvent",
    "AuditEntry",
    "Base",
    "CannedReply",
    "CoachConsent",
    "CoachProfile",
    "ConsoleSecret",
    "ConversationEntry",
    "ConversationWords",
    "DashboardTally",
    "DashboardValue",
    "Event",
    "JobLease",
    "LoginAttempt",
    "Navigation",
    "Nudge",
    "NudgeBudget",
    "PartnerProgramme",
    "Referral",
    "ReferralMessage",
    "ReferralNote",
    "SavedCareer",
    "SeenUpdate",
    "TextOverride",
    "UTCDateTime",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "utcnow",
]
