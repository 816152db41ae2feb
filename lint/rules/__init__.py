"""Every rule, one module each, listed in ``ALL_RULES`` in code order.

To add a rule, see ``lint/rules/README.md``: write ``lint/rules/<code>_<slug>.py``, import its
class here, insert it in ``ALL_RULES`` at its code's place, add ``tests/lint/cases/<CODE>.toml``,
and run ``python3 dev.py docs``.
"""

from __future__ import annotations

from lint.base import Rule
from lint.registry import validate
from lint.rules.c001_missing_consent import MissingConsent
from lint.rules.c002_unprovable_consent import UnprovableConsent
from lint.rules.c003_passive_consent import PassiveConsent
from lint.rules.c004_business_name_mismatch import BusinessNameMismatch
from lint.rules.c005_purpose_mismatch import PurposeMismatch
from lint.rules.c006_channel_mismatch import ChannelMismatch
from lint.rules.c007_soft_opt_in import SoftOptInInvalid
from lint.rules.c008_us_written_consent import UsWrittenConsent
from lint.rules.c009_casl_implied_consent import CaslImpliedConsentExpired
from lint.rules.c010_bundled_consent import BundledConsent
from lint.rules.c011_third_party_list import ThirdPartyList
from lint.rules.c012_stale_consent import StaleConsent
from lint.rules.c013_popia_one_request import PopiaOneRequest
from lint.rules.c014_minor import MinorRecipient
from lint.rules.c015_dpdp_notice import DpdpNoticeIncomplete
from lint.rules.d001_sensitive_data_request import SensitiveDataRequest
from lint.rules.d002_identifier_in_text import IdentifierInText
from lint.rules.d003_special_category_data import SpecialCategoryData
from lint.rules.d004_link_hygiene import LinkHygiene
from lint.rules.d005_data_rights_request import DataRightsRequest
from lint.rules.d006_data_minimisation import DataMinimisation
from lint.rules.d007_evidence_retention import EvidenceRetention
from lint.rules.f001_same_subject_solicitations import SameSubjectSolicitations
from lint.rules.f002_recontact_limit import CountryRecontactLimit
from lint.rules.f003_disclosed_frequency import DisclosedFrequencyExceeded
from lint.rules.f004_weekly_marketing_cap import WeeklyMarketingCap
from lint.rules.n001_invalid_number import InvalidNumber
from lint.rules.n002_duplicate_number import DuplicateNumber
from lint.rules.n003_unreachable_number import UnreachableNumber
from lint.rules.n004_region_mismatch import RegionMismatch
from lint.rules.n005_reassigned_number_check import ReassignedNumberCheck
from lint.rules.o001_missing_opt_out import MissingOptOut
from lint.rules.o002_opt_out_keyword import OptOutKeywordMismatch
from lint.rules.o003_opted_out import OptedOut
from lint.rules.o004_unprocessed_reply import UnprocessedOptOutReply
from lint.rules.o005_platform_opt_out import PlatformOptOut
from lint.rules.o006_late_opt_out import LateOptOutProcessing
from lint.rules.o007_opt_out_confirmation import OptOutConfirmation
from lint.rules.o008_ambiguous_opt_out_scope import AmbiguousOptOutScope
from lint.rules.p001_sender_identification import SenderIdentification
from lint.rules.p002_sender_contact_details import SenderContactDetails
from lint.rules.p003_prohibited_content import ProhibitedContent
from lint.rules.p004_regulated_vertical import RegulatedVertical
from lint.rules.p005_misleading_claim import MisleadingClaim
from lint.rules.p006_impersonation import Impersonation
from lint.rules.p007_us_opt_in_confirmation import UsOptInConfirmation
from lint.rules.p008_human_escalation import NoHumanEscalation
from lint.rules.q001_us_quiet_hours import UsQuietHours
from lint.rules.q002_us_state_quiet_hours import UsStateQuietHours
from lint.rules.q003_colombia_quiet_hours import ColombiaQuietHours
from lint.rules.q004_uae_quiet_hours import UaeQuietHours
from lint.rules.q005_india_quiet_hours import IndiaQuietHours
from lint.rules.q006_saudi_quiet_hours import SaudiQuietHours
from lint.rules.q007_south_africa_quiet_hours import SouthAfricaQuietHours
from lint.rules.q008_default_quiet_hours import DefaultQuietHours
from lint.rules.r001_us_national_dnc import UsNationalDnc
from lint.rules.r002_internal_dnc import InternalDnc
from lint.rules.r003_us_state_dnc import UsStateDnc
from lint.rules.r004_singapore_dnc import SingaporeDnc
from lint.rules.r005_uae_dncr import UaeDncr
from lint.rules.r006_national_registries import NationalRegistryCheck
from lint.rules.s001_us_marketing_pause import UsMarketingPause
from lint.rules.s002_gdpr_representative import GdprRepresentative
from lint.rules.s003_data_transfer import DataTransferMechanism
from lint.rules.s004_texas_registration import TexasSolicitorRegistration
from lint.rules.s005_messaging_limit import MessagingLimit
from lint.rules.s006_paused_template import PausedTemplate
from lint.rules.t001_template_limits import TemplateLimits
from lint.rules.t002_template_variables import TemplateVariables
from lint.rules.t003_variable_placement import VariablePlacement
from lint.rules.t004_promotional_utility import PromotionalUtility
from lint.rules.t005_service_window import ServiceWindow
from lint.rules.t006_language_mismatch import LanguageMismatch
from lint.rules.t007_utility_reference import UtilityReference

ALL_RULES: tuple[type[Rule], ...] = validate(
    (
        MissingConsent,
        UnprovableConsent,
        PassiveConsent,
        BusinessNameMismatch,
        PurposeMismatch,
        ChannelMismatch,
        SoftOptInInvalid,
        UsWrittenConsent,
        CaslImpliedConsentExpired,
        BundledConsent,
        ThirdPartyList,
        StaleConsent,
        PopiaOneRequest,
        MinorRecipient,
        DpdpNoticeIncomplete,
        SensitiveDataRequest,
        IdentifierInText,
        SpecialCategoryData,
        LinkHygiene,
        DataRightsRequest,
        DataMinimisation,
        EvidenceRetention,
        SameSubjectSolicitations,
        CountryRecontactLimit,
        DisclosedFrequencyExceeded,
        WeeklyMarketingCap,
        InvalidNumber,
        DuplicateNumber,
        UnreachableNumber,
        RegionMismatch,
        ReassignedNumberCheck,
        MissingOptOut,
        OptOutKeywordMismatch,
        OptedOut,
        UnprocessedOptOutReply,
        PlatformOptOut,
        LateOptOutProcessing,
        OptOutConfirmation,
        AmbiguousOptOutScope,
        SenderIdentification,
        SenderContactDetails,
        ProhibitedContent,
        RegulatedVertical,
        MisleadingClaim,
        Impersonation,
        UsOptInConfirmation,
        NoHumanEscalation,
        UsQuietHours,
        UsStateQuietHours,
        ColombiaQuietHours,
        UaeQuietHours,
        IndiaQuietHours,
        SaudiQuietHours,
        SouthAfricaQuietHours,
        DefaultQuietHours,
        UsNationalDnc,
        InternalDnc,
        UsStateDnc,
        SingaporeDnc,
        UaeDncr,
        NationalRegistryCheck,
        UsMarketingPause,
        GdprRepresentative,
        DataTransferMechanism,
        TexasSolicitorRegistration,
        MessagingLimit,
        PausedTemplate,
        TemplateLimits,
        TemplateVariables,
        VariablePlacement,
        PromotionalUtility,
        ServiceWindow,
        LanguageMismatch,
        UtilityReference,
    )
)
