"""帮助中心: the common problems of the seeds, each ending in the portal page that solves it.

The answers follow the seeds' own words (seed 000 附件 2, seed 001 附件, seed 002 常见问题,
seed 003 核对结果说明), rewritten for this portal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notices.rendering import plain_text


@dataclass(frozen=True)
class Action:
    url_name: str
    label: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    body: str  # Markdown
    actions: tuple[Action, ...]
    keywords: str = ""

    @property
    def text(self) -> str:
        return plain_text(str(self.body))

    def matches(self, query: str) -> bool:
        haystack = f"{self.title} {self.keywords} {self.text}".lower()
        return all(word in haystack for word in query.lower().split())


ARTICLES = (
    Article(
        slug="id-number-registered",
        title=_("注册时提示“证件号码已被注册”怎么办？"),
        keywords=_("身份证号 重复 已使用 重新注册 身份核验 手持身份证"),
        body=_(
            "说明该证件号码之前在平台注册过账号。\n\n"
            "1. 先用“找回用户名”核实是否注册过账号；记得账号的，直接登录，忘记密码的可以找回密码。\n"
            "2. 确未使用此证件号码注册过，或已无法找回密码的，可以选择“我要重新注册”。新账号需要核验身份后才能使用，可任选一种方式：\n"
            "    - 上传手持身份证人像面和国徽面照片，由客服审核（约 3 个工作日；每天最多上传 3 次，累计不超过 5 次）；\n"
            "    - 请大学同班同学协助确认；\n"
            "    - 填写学籍或学历信息（学校、学号、层次），与学籍一致的立即通过。\n\n"
            "**注意**：核验通过后，使用该证件号码的其他账号将被注销，旧账号绑定的服务会受影响，请慎重操作。"
        ),
        actions=(
            Action("accounts:find_username", _("找回用户名")),
            Action("accounts:password_reset", _("找回密码")),
            Action("accounts:register", _("我要重新注册")),
        ),
    ),
    Article(
        slug="phone-used",
        title=_("注册时提示“手机号已使用”怎么办？"),
        keywords=_("手机号码 重复 已注册 验证码"),
        body=_(
            "说明该手机号码在平台注册使用过。\n\n"
            "1. 先用“找回用户名”核实是否用这个手机号注册过账号。\n"
            "2. 确认未用该手机号注册的，可以通过短信验证码证明手机号归您所有，并把它转到您的账号上（原账号将不再使用该手机号）；"
            "也可以向客服提交申请，写明姓名、手机号码和证件号码，审核通过后即可使用。"
        ),
        actions=(
            Action("accounts:find_username", _("找回用户名")),
            Action("accounts:phone_request", _("申请使用该手机号")),
        ),
    ),
    Article(
        slug="no-record",
        title=_("登录后看不到学籍信息怎么办？"),
        keywords=_("没有学籍 绑定 查不到 姓名 证件号码 不一致"),
        body=_(
            "请先点击“学籍信息”：平台会用您账号的姓名和证件号码尝试绑定学籍，并记录您已查看。仍然看不到的，常见原因有：\n\n"
            "1. 注册账号时填写的姓名或证件号码与学籍不一致，无法匹配。若学籍信息正确，是账号信息填错了，请申请修改账号的姓名或证件号码（需上传身份证扫描件，由客服审核）。\n"
            "2. 学籍中有您的证件号码，但姓名不同：请与学校学籍管理部门联系核实。\n"
            "3. 学籍尚未注册：新生学籍电子注册完成后才能查到，请留意学校通知。\n\n"
            "也可以在“尝试绑定学籍”页面填写学校、学号等信息再试一次。"
        ),
        actions=(
            Action("records:my_records", _("学籍信息")),
            Action("records:bind_more", _("尝试绑定学籍")),
            Action("accounts:real_name_change", _("申请修改姓名或证件号码")),
        ),
    ),
    Article(
        slug="no-photo",
        title=_("能看到学籍信息但没有照片怎么办？"),
        keywords=_("图像校对 照片 新华社 采集 补采"),
        body=_(
            "可能有以下原因：\n\n"
            "1. 图像采集单位（如新华社各省分社）还没有上传您的照片：照片一般在采集后 2～3 个月上网，请确认上网时间后重新登录核对。\n"
            "2. 采集照片时的信息与学籍信息不一致：请先与学院确认学籍信息，再联系当地图像采集单位重新采集。\n"
            "3. 学籍异动或未参加正常图像采集的：请按学校通知自行前往图像采集单位补采。\n\n"
            "**提示**：网上照片没有经过核对确认的，原则上不予进行毕业证书电子注册。照片涉及个人信息，请不要委托他人代为校对。"
        ),
        actions=(Action("records:my_records", _("学籍信息与照片")),),
    ),
    Article(
        slug="data-mismatch",
        title=_("学籍信息与实际情况不符怎么办？"),
        keywords=_("有误 更正 修改 错误 民族 出生日期 身份证"),
        body=_(
            "学籍信息学生本人不能修改。请在“学籍信息”页面点击“有误”，勾选有误的项目，填写正确信息，并上传证明材料（公安部门证明、户口本、身份证等扫描件），由学校学籍管理部门核实更正。\n\n"
            "1. 更正申请须在通知规定的截止时间前提出，逾期不再办理。\n"
            "2. 一代身份证换成二代身份证、出生日期有变动等情况，按规定不予更改。\n"
            "3. 照片不是本人的，在照片下方点击“有误”，并联系图像采集单位勘误。"
        ),
        actions=(Action("records:my_records", _("学籍信息")),),
    ),
    Article(
        slug="forgot-login",
        title=_("忘记用户名或密码怎么办？"),
        keywords=_("登录 用户名 密码 找回 重置"),
        body=_(
            "可以用用户名、手机号、邮箱或证件号码登录。忘记用户名的，用“找回用户名”；忘记密码的，用“找回密码”，通过手机或邮箱验证码重设。\n\n"
            "请不要更换手机号码后置之不理：忘记密码后，需要用注册时的手机号或邮箱找回。"
        ),
        actions=(
            Action("accounts:find_username", _("找回用户名")),
            Action("accounts:password_reset", _("找回密码")),
        ),
    ),
)

BY_SLUG = {article.slug: article for article in ARTICLES}


def search(query: str) -> list[Article]:
    """A simple search: every word of the query appears in the title or the text."""
    query = (query or "").strip()
    if not query:
        return list(ARTICLES)
    return [article for article in ARTICLES if article.matches(query)]
