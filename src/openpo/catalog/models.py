"""What a seller offers: shops and their members and bank accounts, campaigns (the open POs),
products, variants with their quota, and the materials each variant needs.

Models state what is true and hold the invariants the database can keep; every change of
state goes through `catalog.services`.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


def _logo_path(instance: "Shop", filename: str) -> str:
    return f"logos/{instance.pk or 'new'}/{filename}"


class Shop(models.Model):
    class TimeZone(models.TextChoices):
        WIB = "Asia/Jakarta", _("WIB (Western Indonesia)")
        WITA = "Asia/Makassar", _("WITA (Central Indonesia)")
        WIT = "Asia/Jayapura", _("WIT (Eastern Indonesia)")

    class Language(models.TextChoices):
        INDONESIAN = "id", _("Indonesian")
        ENGLISH = "en", _("English")

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    whatsapp_number = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=32, choices=TimeZone.choices, default=TimeZone.WIB
    )
    static_qris = models.TextField(_("static QRIS payload"), blank=True)
    default_payment_window_hours = models.PositiveIntegerField(
        _("default payment window (hours)"), default=24
    )
    message_language = models.CharField(
        _("message language"), max_length=5, choices=Language.choices, default=Language.INDONESIAN
    )
    logo = models.ImageField(_("logo"), upload_to=_logo_path, blank=True)
    # The shop's colour: buttons on its pages and the background of its announcement images.
    brand_color = models.CharField(
        _("brand colour"),
        max_length=7,
        default="#B4235A",
        validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Use a colour like #B4235A."))],
    )
    # A bank-statement line that matches exactly one order's unique amount is confirmed at
    # import, without a tap, when this is on.
    auto_confirm_exact_matches = models.BooleanField(
        _("confirm exact statement matches automatically"), default=False
    )
    # Midtrans (payment gateway), off while empty: the server key signs its notifications.
    # A PO's ship date moved more than this many days past the first promise lets each paid
    # buyer cancel and ask for a refund with one tap on their order page.
    delay_cancel_after_days = models.PositiveSmallIntegerField(
        _("offer cancellation after a delay of (days)"), default=7
    )
    midtrans_server_key = models.CharField(_("Midtrans server key"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=now)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_payment_window_hours__gte=1),
                name="shop_payment_window_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def tz_abbreviation(self) -> str:
        """WIB, WITA or WIT: how Indonesians write the time zone after a time."""
        return self.TimeZone(self.timezone).name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shop member")
        verbose_name_plural = _("shop members")
        constraints = [
            models.UniqueConstraint(fields=["shop", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.shop} ({self.role})"


class BankAccount(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="bank_accounts")
    bank_name = models.CharField(_("bank"), max_length=50)
    account_number = models.CharField(_("account number"), max_length=34)
    account_holder = models.CharField(_("account holder"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "bank_name", "account_number"], name="bank_account_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number} a.n. {self.account_holder}"


class Campaign(models.Model):
    """An open PO: a time-boxed window in which buyers order what will be produced afterwards."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PRODUCING = "producing", _("In production")
        SHIPPING = "shipping", _("Shipping")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed (minimum not reached)")
        CANCELLED = "cancelled", _("Cancelled")

    class PaymentPolicy(models.TextChoices):
        FULL = "full", _("Full payment up front")
        DEPOSIT = "deposit", _("Down payment (DP), settlement later")

    class CloseReason(models.TextChoices):
        TIME = "time", _("Closing time reached")
        EARLY = "early", _("Closed early by the seller")
        SOLD_OUT = "sold_out", _("Sold out")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="campaigns")
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    production_starts_on = models.DateField(_("production starts on"), null=True, blank=True)
    ships_on = models.DateField(_("ships from"), null=True, blank=True)
    moq_units = models.PositiveIntegerField(
        _("minimum order (units)"), default=0, help_text=_("0 means no minimum.")
    )
    unit_cap = models.PositiveIntegerField(
        _("campaign-wide cap (units)"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    # Units held by live orders (all variants together): the campaign-wide cap and the
    # minimum order are checked against it. Kept by orders.services, never edited by hand.
    reserved_units = models.PositiveIntegerField(_("reserved units"), default=0)
    max_units_per_order = models.PositiveIntegerField(
        _("per-order limit (units)"), null=True, blank=True
    )
    payment_policy = models.CharField(
        _("payment policy"),
        max_length=10,
        choices=PaymentPolicy.choices,
        default=PaymentPolicy.FULL,
    )
    deposit_percent = models.PositiveSmallIntegerField(_("down payment (%)"), null=True, blank=True)
    settlement_due_on = models.DateField(_("settlement due on"), null=True, blank=True)
    payment_window_hours = models.PositiveIntegerField(_("payment window (hours)"), default=24)
    shipping_fee = models.PositiveIntegerField(_("flat shipping fee (Rp)"), default=0)
    # Early bird: variants with an early-bird price sell at it until `early_bird_until`
    # and/or for the first `early_bird_units` units of the PO (whichever ends first). The
    # units sold at it are counted in `early_bird_units_sold`, which cancellations do not
    # give back, so no more than `early_bird_units` units are ever sold cheaper.
    early_bird_until = models.DateTimeField(_("early-bird price until"), null=True, blank=True)
    early_bird_units = models.PositiveIntegerField(
        _("early-bird price for the first (units)"), null=True, blank=True
    )
    early_bird_units_sold = models.PositiveIntegerField(_("early-bird units sold"), default=0)
    # The seller's own PO terms (cancellation, refunds, DP), shown before ordering; the terms as
    # a buyer accepted them are copied onto the order.
    terms = models.TextField(_("PO terms"), blank=True)
    close_reason = models.CharField(
        _("close reason"), max_length=10, choices=CloseReason.choices, blank=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Buyers may correct their name, phone and address until the seller locks them.
    addresses_locked_at = models.DateTimeField(_("addresses locked at"), null=True, blank=True)
    production_started_at = models.DateTimeField(_("production started at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=now)
    updated_at = models.DateTimeField(_("updated at"), default=now)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "slug"], name="campaign_unique_slug"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="campaign_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(unit_cap__isnull=True) | Q(reserved_units__lte=F("unit_cap")),
                name="campaign_reserved_within_cap",
            ),
            models.CheckConstraint(
                condition=Q(unit_cap__isnull=True) | Q(unit_cap__gte=1),
                name="campaign_cap_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_units_per_order__isnull=True) | Q(max_units_per_order__gte=1),
                name="campaign_per_order_limit_positive",
            ),
            models.CheckConstraint(
                condition=(
                    Q(payment_policy="full", deposit_percent__isnull=True)
                    | Q(
                        payment_policy="deposit",
                        deposit_percent__isnull=False,
                        deposit_percent__gte=1,
                        deposit_percent__lte=99,
                    )
                ),
                name="campaign_deposit_matches_policy",
            ),
            models.CheckConstraint(
                condition=Q(payment_window_hours__gte=1), name="campaign_payment_window_positive"
            ),
            models.CheckConstraint(
                condition=Q(early_bird_units__isnull=True)
                | Q(early_bird_units_sold__lte=F("early_bird_units")),
                name="campaign_early_bird_within_units",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def phase(self, at: datetime) -> str:
        """The status that holds at `at`, whether or not the timed transition has run yet."""
        if self.status in (self.Status.SCHEDULED, self.Status.OPEN):
            if at >= self.closes_at:
                return self.Status.CLOSED
            if at >= self.opens_at:
                return self.Status.OPEN
            return self.Status.SCHEDULED
        return self.status

    def is_open(self, at: datetime) -> bool:
        return self.phase(at) == self.Status.OPEN

    @property
    def takes_deposit(self) -> bool:
        return self.payment_policy == self.PaymentPolicy.DEPOSIT

    @property
    def has_early_bird(self) -> bool:
        return self.early_bird_until is not None or self.early_bird_units is not None

    def early_bird_on(self, at: datetime) -> bool:
        """Is the early-bird price still on at `at` (judging the unit count as last read)?"""
        if not self.has_early_bird:
            return False
        if self.early_bird_until is not None and at >= self.early_bird_until:
            return False
        return self.early_bird_units is None or self.early_bird_units_sold < self.early_bird_units

    @property
    def early_bird_units_left(self) -> int | None:
        if self.early_bird_units is None:
            return None
        return max(self.early_bird_units - self.early_bird_units_sold, 0)


class Product(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


def _photo_path(instance: "ProductPhoto", filename: str) -> str:
    return f"photos/{instance.product.campaign.shop_id}/{instance.product_id}/{filename}"


class ProductPhoto(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=_photo_path)
    # A small JPEG (at most 480 px wide) for lists and the dashboard; made on upload.
    thumbnail = models.ImageField(_("thumbnail"), upload_to=_photo_path, blank=True)
    alt_text = models.CharField(_("description for screen readers"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_text or self.product.name


class Variant(models.Model):
    """One orderable option of a product (e.g. size M, black) with its price and quota."""

    # The campaign is stored on the variant too, so the order path reads and reserves variants
    # of one campaign without a join; `catalog.services.add_variant` keeps it equal to the
    # product's campaign.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    options = models.JSONField(
        _("options"),
        default=dict,
        blank=True,
        help_text=_('e.g. {"Ukuran": "M", "Warna": "Hitam"}'),
    )
    # Kept when a campaign is duplicated, so analytics can follow one item across campaigns.
    sku = models.CharField(_("SKU"), max_length=64)
    price = models.PositiveIntegerField(_("price (Rp)"))
    early_bird_price = models.PositiveIntegerField(
        _("early-bird price (Rp)"), null=True, blank=True
    )
    quota = models.PositiveIntegerField(
        _("quota"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    reserved_units = models.PositiveIntegerField(_("reserved units"), default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["product__position", "product_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sku"], name="variant_unique_sku"),
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(reserved_units__lte=F("quota")),
                name="variant_reserved_within_quota",
            ),
            models.CheckConstraint(
                condition=Q(reserved_units__gte=0), name="variant_reserved_nonnegative"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_nonnegative"),
            models.CheckConstraint(
                condition=Q(early_bird_price__isnull=True) | Q(early_bird_price__lt=F("price")),
                name="variant_early_bird_below_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} — {self.label}" if self.label else self.product.name

    @property
    def label(self) -> str:
        """`M / Hitam`: the option values in order."""
        return " / ".join(str(value) for value in self.options.values())

    def price_at(self, campaign: "Campaign", at: datetime) -> int:
        """What one unit costs now: the early-bird price while it is on, else the price."""
        if self.early_bird_price is not None and campaign.early_bird_on(at):
            return self.early_bird_price
        return self.price

    @property
    def units_left(self) -> int | None:
        """Units still available, or None when the variant is unlimited."""
        if self.quota is None:
            return None
        return max(self.quota - self.reserved_units, 0)

    @property
    def is_sold_out(self) -> bool:
        return self.quota is not None and self.reserved_units >= self.quota


class Material(models.Model):
    """Bill of materials: how much of a material one unit of a variant needs."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("material"), max_length=100)
    quantity_per_unit = models.DecimalField(_("quantity per unit"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("e.g. m, pcs, gram"))

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_per_unit__gt=0), name="material_quantity_positive"
            ),
            models.UniqueConstraint(fields=["variant", "name"], name="material_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.quantity_per_unit} {self.unit}"


class Invitation(models.Model):
    """An invitation for someone to join a shop's team; accepted once through its secret link."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.STAFF
    )
    token = models.CharField(max_length=43, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("invited at"), default=now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} → {self.shop} ({self.role})"

    def is_usable(self, at: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and at < self.expires_at


# Personal API tokens: one member's key to one shop's data through /api/v1/shop/. Only a
# SHA-256 of the token is stored (32 random bytes: a plain hash is as safe as a slow one and
# costs nothing per request), with its first characters to tell tokens apart in a list. A
# revoked token stays listed with the moment it was revoked.
class ApiToken(models.Model):
    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)  # "opo_Ab12Cd3": shown, never enough to use
    digest = models.CharField(max_length=64, unique=True)  # sha256 hex of the whole token
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["shop", "user"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
