"""The web console in a real browser: Debian's chromium driven by chromium-driver, logged in
with the demo principals' client certificates (PKCS#12 in each browser's own NSS database,
picked automatically through Chromium's AutoSelectCertificateForUrls policy).

Screenshots go to TERMIJN_SCREENSHOT_DIR (default: the current directory, the build tree under
CTest).
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import zoneinfo

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

from web_harness import P12_PASSWORD, Termijnd

# WCAG 2.x contrast of every visible text on the page: the computed colour of the text (an SVG
# text's fill; an empty field's placeholder) against its effective background, the backgrounds of
# the element and its ancestors composited up to the first opaque one (white below all).
CONTRAST_SCRIPT = """
function rgba(text) {
  const m = /rgba?\\(([^)]*)\\)/.exec(text || '');
  if (!m) return null;
  const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
  return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
}
function over(top, bottom) {
  const a = top.a;
  return {r: top.r * a + bottom.r * (1 - a), g: top.g * a + bottom.g * (1 - a),
          b: top.b * a + bottom.b * (1 - a), a: 1};
}
function background(el) {
  const layers = [];
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
  }
  let bg = {r: 255, g: 255, b: 255, a: 1};
  for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
  return bg;
}
function luminance(c) {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}
const fields = ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'];
const results = [];
for (const el of document.body.querySelectorAll('*')) {
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  if (rect.width === 0 || rect.height === 0 || rect.right <= 0 || rect.bottom <= 0) continue;
  if (style.visibility !== 'visible' || Number(style.opacity) === 0) continue;
  let text = '', color = style.color, placeholder = false;
  if (el instanceof SVGElement) {
    if (el.tagName.toLowerCase() !== 'text') continue;
    text = el.textContent.trim();
    color = style.fill;
  } else if (fields.includes(el.tagName)) {
    if (el.type === 'hidden' || el.type === 'checkbox' || el.type === 'radio' || el.type === 'file') continue;
    text = el.tagName === 'SELECT' ? (el.selectedOptions[0] || {}).text || '' : (el.value || el.textContent || '').trim();
    if (!text && el.placeholder) {
      text = el.placeholder;
      color = getComputedStyle(el, '::placeholder').color;
      placeholder = true;
    }
  } else {
    for (const n of el.childNodes) if (n.nodeType === 3) text += n.textContent;
    text = text.trim();
  }
  if (!text) continue;
  const bg = background(el);
  const fg = over(rgba(color), bg);
  const l1 = luminance(fg), l2 = luminance(bg);
  const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  const size = parseFloat(style.fontSize), weight = Number(style.fontWeight) || 400;
  const large = size >= 24 || (size >= 18.66 && weight >= 700);
  results.push({ratio: ratio, required: large ? 3.0 : 4.5, text: text.slice(0, 40), placeholder: placeholder,
                tag: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + el.className : ''),
                fg: color, bg: 'rgb(' + [bg.r, bg.g, bg.b].map(Math.round).join(', ') + ')'});
}
return results;
"""

# Chromium reads policies only from here; the test's file is removed in tearDown.
POLICY_DIR = "/etc/chromium/policies/managed"
SCREENSHOTS = os.environ.get("TERMIJN_SCREENSHOT_DIR", os.getcwd())
BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


class Browser:
    """A headless Chromium with its own profile and NSS database holding one principal. Every
    page it opens is measured for contrast (Browser.lowest: the lowest ratio seen, and where)."""

    lowest = None  # (ratio, page, where)
    lowest_own = None  # the same without the browser's own placeholder colour
    pages = 0

    def __init__(self, termijnd, principal):
        self.home = tempfile.mkdtemp(prefix="termijn-browser-")
        nssdb = "sql:" + os.path.join(self.home, ".pki", "nssdb")
        os.makedirs(os.path.join(self.home, ".pki", "nssdb"))
        subprocess.run(["certutil", "-N", "-d", nssdb, "--empty-password"], check=True)
        subprocess.run(["certutil", "-A", "-d", nssdb, "-n", "Termijn development CA", "-t", "C,,",
                        "-i", termijnd.cert("ca.crt")], check=True)
        subprocess.run(["pk12util", "-i", termijnd.p12(principal), "-d", nssdb, "-W", P12_PASSWORD],
                       check=True, stdout=subprocess.DEVNULL)
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=nl",
                    "--user-data-dir=" + os.path.join(self.home, "profile")]:
            options.add_argument(arg)
        env = dict(os.environ, HOME=self.home)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver", env=env), options=options)
        self.driver.set_page_load_timeout(60)
        self.origin = termijnd.origin
        self.termijnd = termijnd

    def open(self, path):
        self.driver.get(self.origin + path)
        self.check_contrast()
        return self.driver

    def check_errors_referenced(self):
        """Every error shown at a field is named by the field (aria-describedby), so that a
        screen reader reads it with the field."""
        unreferenced = self.driver.execute_script(
            "var ids = new Set();"
            "document.querySelectorAll('[aria-describedby]').forEach(function (e) {"
            "  e.getAttribute('aria-describedby').split(' ').forEach(function (i) { ids.add(i); }); });"
            "return Array.from(document.querySelectorAll('.field-error[id]'))"
            "  .map(function (e) { return e.id; }).filter(function (i) { return !ids.has(i); });")
        page = self.driver.current_url[len(self.origin):]
        assert not unreferenced, "errors no field names on %s: %s" % (page, unreferenced)

    def check_contrast(self):
        """Every visible text of the page meets WCAG AA: 4.5:1, 3:1 for large text."""
        measured = self.driver.execute_script(CONTRAST_SCRIPT)
        page = self.driver.current_url[len(self.origin):]
        assert measured, "no text measured on " + page
        failing = [m for m in measured if m["ratio"] < m["required"]]
        assert not failing, "contrast below WCAG AA on %s: %s" % (page, failing)
        for attribute, seen in [("lowest", measured), ("lowest_own", [m for m in measured if not m["placeholder"]])]:
            low = min(seen, key=lambda m: m["ratio"], default=None)
            if low and (getattr(Browser, attribute) is None or low["ratio"] < getattr(Browser, attribute)[0]):
                setattr(Browser, attribute, (low["ratio"], page, low))
        Browser.pages += 1

    def click(self, css):
        """Clicks what submits a form or follows a link, and waits for the next page."""
        # Each document has its own time origin: a new one means the next page is there.
        script = "return [performance.timeOrigin, document.readyState]"
        old = self.driver.execute_script(script)[0]
        self.find(css).click()

        def loaded(driver):
            try:
                origin, state = driver.execute_script(script)
            except WebDriverException:  # between two documents
                return False
            return origin != old and state == "complete"
        WebDriverWait(self.driver, 30, poll_frequency=0.1).until(loaded)
        self.check_contrast()
        self.check_errors_referenced()

    def wait_for_text(self, css, texts):
        """Reloads the page until the element `css` holds every one of `texts` (30 s at most)."""
        def holds(driver):
            found = driver.find_elements(By.CSS_SELECTOR, css)
            if found and all(t in found[0].text for t in texts):
                return True
            driver.refresh()
            return False
        try:
            WebDriverWait(self.driver, 30, poll_frequency=0.2).until(holds)
        except Exception:
            print(css, "holds:", [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, css)])
            raise

    def find(self, css):
        try:
            return self.driver.find_element(By.CSS_SELECTOR, css)
        except NoSuchElementException:
            body = self.driver.find_elements(By.TAG_NAME, "body")
            print("no %s on %s:\n%s\n--- termijnd:\n%s" % (
                css, self.driver.current_url, body[0].text if body else self.driver.page_source,
                "".join(self.termijnd.log_text().splitlines(True)[-15:])))
            raise

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def screenshot(self, name):
        os.makedirs(SCREENSHOTS, exist_ok=True)
        # The whole page, not only the window.
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1400, max(1000, height + 40))
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, name))
        self.driver.set_window_size(1400, 1000)

    def close(self):
        self.driver.quit()
        shutil.rmtree(self.home, ignore_errors=True)


def local(dt):
    return dt.astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M")


class BrowserTest(unittest.TestCase):
    """A termijnd (the demo configuration changed by `edit_config`) and browsers on it."""

    @staticmethod
    def edit_config(config):
        return config

    @classmethod
    def setUpClass(cls):
        cls.termijnd = Termijnd(edit_config=cls.edit_config)
        os.makedirs(POLICY_DIR, exist_ok=True)
        cls.policy = os.path.join(POLICY_DIR, "termijn-console-test-%d.json" % os.getpid())
        with open(cls.policy, "w") as f:
            json.dump({"AutoSelectCertificateForUrls": [
                json.dumps({"pattern": cls.termijnd.origin, "filter": {}})]}, f)
        cls.browsers = []

    @classmethod
    def tearDownClass(cls):
        for b in cls.browsers:
            b.close()
        os.remove(cls.policy)
        cls.termijnd.stop()
        for what, lowest in [("lowest contrast", Browser.lowest), ("without placeholders", Browser.lowest_own)]:
            if lowest:
                ratio, page, where = lowest
                print("%s over %d pages: %.2f:1 on %s (%s %r, %s on %s)" %
                      (what, Browser.pages, ratio, page, where["tag"], where["text"], where["fg"], where["bg"]))

    def browser(self, principal):
        b = Browser(self.termijnd, principal)
        self.browsers.append(b)
        return b

    def post(self, principal, path, *fields):
        """(status, body) of a form posted with curl, with `principal`'s token and cookie."""
        status, _, body = self.termijnd.curl(principal, "/incidents/new")
        self.assertEqual(status, 200)
        token = re.search(r'name="csrf" value="([0-9a-f]{64})"', body).group(1)
        args = ["-d", "csrf=" + token]
        for f in fields:
            args += ["--data-urlencode", f]
        status, _, body = self.termijnd.curl(principal, path, *args)
        return status, body


class ConsoleTest(BrowserTest):
    def test_contrast_check_finds_low_contrast(self):
        # The contrast measurement itself: a grey text on white is found, and refused.
        b = self.browser("auditor")
        b.open("/")
        b.driver.execute_script(
            "const p = document.createElement('p'); p.textContent = 'pale'; p.style.color = '#aaa';"
            "document.querySelector('main').append(p);")
        with self.assertRaisesRegex(AssertionError, "contrast below WCAG AA on /: .*'pale'"):
            b.check_contrast()

    def test_incident_from_report_to_acknowledgement(self):
        # A DPO reports an incident, sees its deadlines count down, fulfils one; the other
        # party's DPO acknowledges the notice and cannot open the owner's internal duty; the
        # history shows it all.
        herent = self.browser("herent-dpo")
        herent.open("/")
        self.assertEqual(herent.find("#principal").text, "herent-dpo")
        self.assertEqual(herent.find("#no-deadlines").text, "Geen openstaande termijnen.")

        # A refused form shows the error at its field and stores nothing.
        herent.open("/incidents/new")
        herent.find("#aware_time").send_keys("gisteren")
        herent.click("#submit")
        self.assertEqual(herent.find("#title-error").text, "Verplicht.")
        self.assertEqual(herent.find("#title").get_attribute("aria-invalid"), "true")
        herent.find("#title").send_keys("USB-stick met cliëntendossiers verloren")
        herent.click("#submit")
        # The use case's reason, in the user's language.
        self.assertEqual(herent.find("#aware_time-error").text, "Geen tijdstip: gebruik bv. 2026-11-27T14:20.")
        herent.open("/?state=all")
        self.assertEqual(len(herent.finds("#no-deadlines")), 1)

        # Two earlier incidents: GDPR art. 33 (72 h) overdue for one, under 24 h for the other.
        now = datetime.datetime.now(datetime.timezone.utc)
        for title, hours_ago in [("Mail met cliëntenlijst naar verkeerde ontvanger", 80),
                                 ("Laptop van maatschappelijk werker gestolen", 60)]:
            herent.open("/incidents/new")
            herent.find("#title").send_keys(title)
            herent.find("#aware_time").send_keys(local(now - datetime.timedelta(hours=hours_ago)))
            herent.click("#submit")
            self.assertRegex(herent.driver.current_url, r"/incidents/\d+$")

        # The report itself, 30 hours after awareness: 42 h left of GDPR art. 33's 72.
        herent.open("/incidents/new")
        herent.find("#title").send_keys("USB-stick met cliëntendossiers verloren")
        herent.find("#aware_time").send_keys(local(now - datetime.timedelta(hours=30)))
        # First the deadlines it would start (PreviewObligations); nothing is stored.
        stored = self.termijnd.sql("SELECT count(*) FROM incident")
        herent.click("#preview-button")
        previewed = [r.get_attribute("data-rule") for r in herent.finds("#preview-table tbody tr")]
        self.assertIn("gdpr.art33_authority", previewed)
        self.assertIn("protocol.breach_notice", previewed)
        self.assertNotIn("gdpr.art34_subjects", previewed)
        # A high risk known at the report starts GDPR art. 34 too: the preview shows it (before:
        # it was left out, and the report then started a deadline the preview had not shown).
        herent.find("#risk option[value=high]").click()
        herent.click("#preview-button")
        previewed = [r.get_attribute("data-rule") for r in herent.finds("#preview-table tbody tr")]
        self.assertIn("gdpr.art34_subjects", previewed)
        herent.find("#risk option[value=unknown]").click()
        self.assertEqual(self.termijnd.sql("SELECT count(*) FROM incident"), stored)
        self.assertEqual(herent.find("#title").get_attribute("value"), "USB-stick met cliëntendossiers verloren")
        herent.find("#description").send_keys("Verloren op de trein Leuven-Brussel; niet versleuteld.")
        herent.find("input[value=medical]").click()
        herent.find("input[value=identification]").click()
        herent.find("input[value=clients]").click()
        herent.find("#subject_count").send_keys("37")
        herent.click("#submit")
        self.assertRegex(herent.driver.current_url, r"/incidents/\d+$")
        incident_url = herent.driver.current_url[len(self.termijnd.origin):]
        self.assertIn("USB-stick met cliëntendossiers verloren", herent.find("h1").text)
        rules = [r.get_attribute("data-rule") for r in herent.finds("#obligations tbody tr")]
        self.assertIn("protocol.breach_notice", rules)
        self.assertIn("gdpr.art33_authority", rules)
        art33 = herent.find("#obligations tr[data-rule='gdpr.art33_authority']")
        art33_id = art33.get_attribute("data-obligation")
        self.assertRegex(art33.find_element(By.CSS_SELECTOR, ".countdown").text, r"^nog 1 d \d+ u \d\d min$")
        # How each deadline was computed, in the page's language.
        self.assertRegex(art33.find_element(By.CSS_SELECTOR, "td:last-child").text,
                         r"^72 u na kennisname op .*: uiterlijk .*\. Wettelijke grens \(art\. 3 Verord\. 1182/71\): ")

        # The DPO changes the facts (UpdateIncident): an occurrence after the awareness is refused
        # at its field, in Dutch, and nothing changes; then description, occurrence, categories,
        # subject groups and ticket reference change together.
        herent.find("#occurred_time").send_keys(local(now - datetime.timedelta(hours=10)))
        herent.find("#edit-description").clear()
        herent.find("#edit-description").send_keys("Niet bewaard")
        herent.click("#save-facts")
        self.assertEqual(herent.find("#occurred_time-error").text, "Ligt na het tijdstip van kennisname.")
        self.assertEqual(herent.find("#occurred_time").get_attribute("aria-invalid"), "true")
        self.assertNotIn("Niet bewaard", herent.find("#facts").text)
        occurred = now - datetime.timedelta(hours=32)
        herent.find("#occurred_time").clear()
        herent.find("#occurred_time").send_keys(local(occurred))
        # A description longer than 8 KiB as a browser encodes it (each "é" takes 6 bytes in a
        # URL-encoded form): cpp-httplib caps URL-encoded forms at 8 KiB, so every form is sent
        # as multipart. Before: 413, and what the user typed was lost.
        long_description = "Verloren op de trein Leuven-Brussel; in een rode map. " + "Cliënté " * 1000
        herent.driver.execute_script("arguments[0].value = arguments[1]",
                                     herent.find("#edit-description"), long_description)
        herent.find("#edit-categories input[value=contact]").click()
        herent.find("#edit-groups input[value=staff]").click()
        herent.find("#edit-external_ref").send_keys("ZAMMAD-4711")
        herent.click("#save-facts")
        self.assertTrue(herent.driver.current_url.endswith(incident_url))
        facts = herent.find("#facts").text
        for text in ["in een rode map", local(occurred).replace("T", " "), "contact", "medisch",
                     "personeel", "cliënten", "ZAMMAD-4711"]:
            self.assertIn(text, facts)
        self.assertEqual(self.termijnd.sql("SELECT length(description) FROM incident WHERE id = %s" %
                                           incident_url.rsplit("/", 1)[1]), str(len(long_description)))
        # ... and a shorter text replaces it whole.
        short_description = "Verloren op de trein Leuven-Brussel; in een rode map."
        herent.find("#edit-description").clear()
        herent.find("#edit-description").send_keys(short_description)
        herent.click("#save-facts")
        self.assertEqual(self.termijnd.sql("SELECT description FROM incident WHERE id = %s" %
                                           incident_url.rsplit("/", 1)[1]), short_description)

        # The dashboard: soonest first, with countdown, legal limit and next reminder.
        herent.open("/")
        # (The breach notices may still be on the way out: only GDPR art. 33 is looked at.)
        # Each duty by its name in the reader's language (before: its id, "gdpr.art33_authority").
        art33_rows = [r for r in herent.finds("#deadlines tbody tr")
                      if r.find_element(By.CSS_SELECTOR, "td:nth-child(3) a").text
                      == "Melding van de inbreuk aan de toezichthoudende autoriteit"]
        self.assertEqual([r.get_attribute("class") for r in art33_rows], ["u-overdue", "u-urgent", "u-calm"])
        countdowns = [r.find_element(By.CSS_SELECTOR, ".countdown").text for r in art33_rows]
        self.assertRegex(countdowns[0], r"^\d+ u \d\d min te laat$")
        self.assertRegex(countdowns[1], r"^nog \d+ u \d\d min$")
        self.assertRegex(countdowns[2], r"^nog 1 d \d+ u \d\d min$")
        self.assertIn("(50%)", art33_rows[2].text)  # the next reminder
        # ... in the reader's language (before: "+12h every 12h" in the Dutch page).
        self.assertIn("(+12u elke 12u)", art33_rows[0].text)
        herent.screenshot("console-dashboard.png")
        # The page refreshes itself by its script, which leaves a filter being chosen alone; the
        # meta refresh (which reloaded mid-choice) is only for browsers without scripts.
        self.assertEqual(herent.find("body").get_attribute("data-refresh"), "60")
        self.assertEqual(herent.driver.execute_script(
            "return document.querySelectorAll('meta[http-equiv=refresh]').length"), 0)
        # The language switch keeps the filters (before: back to the unfiltered list).
        herent.open("/?state=all")
        herent.click("#lang-switch a[hreflang=en]")
        self.assertTrue(herent.driver.current_url.endswith("/?state=all"))
        self.assertTrue(herent.find("#filter-state option[value=all]").is_selected())
        self.assertEqual(herent.find("h1").text, "All deadlines")  # not "Open deadlines"
        herent.click("#lang-switch a[hreflang=nl]")

        # Fulfil GDPR art. 33: first without evidence (refused at the field), then with it.
        # A second tab keeps the form open, to send it again once the duty is met.
        herent.open("/obligations/" + art33_id)
        # The page names the duty, and gives the code the CLI and the API use.
        self.assertEqual(herent.find("h1").text, "Verplichting %s: Melding van de inbreuk aan de "
                         "toezichthoudende autoriteit" % art33_id)
        self.assertIn("gdpr.art33_authority", herent.find("main").text)
        first_tab = herent.driver.current_window_handle
        herent.driver.switch_to.new_window("tab")
        herent.open("/obligations/" + art33_id)
        stale_tab = herent.driver.current_window_handle
        herent.driver.switch_to.window(first_tab)
        herent.click("#fulfil")
        self.assertEqual(herent.find("#evidence-error").text, "Verplicht.")
        herent.find("#evidence").send_keys("Gemeld aan de GBA, referentie 2026/123")
        herent.click("#fulfil")
        self.assertTrue(herent.driver.current_url.endswith(incident_url))
        row = herent.find("#obligations tr[data-rule='gdpr.art33_authority']")
        self.assertIn("nageleefd", row.find_element(By.CSS_SELECTOR, ".state").text)
        # The form sent again from the other tab: refused, said in Dutch (before: the kind of
        # refusal, and the API's English reason as detail).
        herent.driver.switch_to.window(stale_tab)
        herent.find("#evidence").send_keys("Nog eens")
        herent.click("#fulfil")
        self.assertEqual(herent.find("#error-message").text,
                         "Deze verplichting is al afgesloten (nageleefd of ervan afgezien).")
        herent.driver.close()
        herent.driver.switch_to.window(first_tab)

        # The notice goes out by itself (the outbox); the page shows it once it is sent.
        herent.wait_for_text("#notices", ["verzonden"])

        # The other party's DPO sees what was notified to it and acknowledges it.
        kortenberg = self.browser("kortenberg-dpo")
        kortenberg.open(incident_url)
        self.assertIn("USB-stick met cliëntendossiers verloren", kortenberg.find("h1").text)
        rules = [r.get_attribute("data-rule") for r in kortenberg.finds("#obligations tbody tr")]
        # The notice and the joint consultation (protocol art. 13) concern Kortenberg; art. 33 not.
        self.assertEqual(rules, ["protocol.breach_consultation", "protocol.breach_notice"])
        self.assertEqual(kortenberg.finds("#history"), [])
        kortenberg.click("#notices button")
        self.assertIn("(kortenberg-dpo)", kortenberg.find("#notices tbody tr").text)
        # Its list of Herent's deadlines holds only the notices to Kortenberg.
        kortenberg.open("/?party=herent&state=all")
        listed = {r.find_element(By.CSS_SELECTOR, "td:nth-child(3) a").text
                  for r in kortenberg.finds("#deadlines tbody tr")}
        self.assertEqual(listed, {"Gezamenlijk overleg over de inbreuk",
                                  "Melding van de inbreuk aan de andere partijen"})
        # The filter offers the duties by name too, and filters by id.
        rule_filter = kortenberg.find("#filter-rule option[value='protocol.breach_notice']")
        self.assertEqual(rule_filter.text, "Melding van de inbreuk aan de andere partijen")
        # ... and cannot open the owner's internal duty: as if it did not exist.
        kortenberg.open("/obligations/" + art33_id)
        self.assertEqual(kortenberg.find("h1").text, "Niet gevonden")
        # The refusal in the user's language; the API's own words only as detail.
        self.assertEqual(kortenberg.find("#error-message").text,
                         "Dit bestaat niet, of uw partij heeft er geen toegang toe.")
        kortenberg.open("/obligations/999999")
        self.assertEqual(kortenberg.find("h1").text, "Niet gevonden")

        # The owner reads the history from the audit trail, in English this time.
        herent.open(incident_url)
        herent.click("#lang-switch a[hreflang=en]")
        self.assertEqual(herent.find("#hist-h").text, "History (audit trail)")
        # The trail is chained by a worker just after each commit: reload until it is.
        # (Kortenberg's acknowledgement is Kortenberg's event, scoped as the API scopes it; the
        # notices table says who acknowledged when.)
        # What happened in words (before: the audit actions, "incident.reported"), by whom, on
        # what: the service's own work as "system", each subject named and linked.
        herent.wait_for_text("#history", ["Incident reported", "Incident updated",
                                          "Obligation met", "Message sent"])
        self.assertNotIn("incident.reported", herent.find("#history").text)
        reported = herent.find("#history tr[data-event='incident.reported']")
        self.assertEqual(reported.find_element(By.CSS_SELECTOR, "td:nth-child(3)").text, "herent-dpo")
        self.assertEqual(reported.find_element(By.CSS_SELECTOR, "td:nth-child(5) a").get_attribute(
            "href"), self.termijnd.origin + incident_url)
        self.assertIn("Incident ", reported.find_element(By.CSS_SELECTOR, "td:nth-child(5)").text)
        sent = herent.find("#history tr[data-event='notification.sent']")
        self.assertEqual(sent.find_element(By.CSS_SELECTOR, "td:nth-child(3)").text, "system")
        self.assertRegex(sent.find_element(By.CSS_SELECTOR, "td:nth-child(5)").text, r"^Message \d+$")
        herent.screenshot("console-incident.png")

        # Waive GDPR art. 33 of the second incident with a reason (art. 33(1): unlikely risk).
        herent.open("/incidents/2")
        waived = herent.find("#obligations tr[data-rule='gdpr.art33_authority']").get_attribute("data-obligation")
        herent.open("/obligations/" + waived)
        herent.find("#reason").send_keys("The laptop was encrypted; unlikely to result in a risk")
        herent.click("#waive")
        row = herent.find("#obligations tr[data-rule='gdpr.art33_authority']")
        self.assertIn("waived", row.find_element(By.CSS_SELECTOR, ".state").text)
        # Closing it while the consultation is open is refused, naming what is open as the page
        # names it (before: "obligations/6 (protocol.breach_consultation to kortenberg)").
        herent.find("#summary").send_keys("Laptop versleuteld")
        herent.click("#close")
        refusal = herent.find("#summary-error").text
        self.assertRegex(refusal, r"^Obligations are still open: Obligation \d+ \(Joint consultation "
                                  r"on the breach, DPO of OCMW Kortenberg\)\. Mark them as met or "
                                  r"waive them first\.$")
        self.assertNotEqual(herent.finds("#close-form"), [])
        # ... and said at the top of the page, where it reloaded (before: only at the form).
        self.assertEqual(herent.find("#form-error").text,
                         "The form has errors; nothing was stored. " + refusal)
        # Switching the language on the refused form's page stays on the record (before: the
        # form's POST path, "Not found").
        herent.click("#lang-switch a[hreflang=nl]")
        self.assertTrue(herent.driver.current_url.endswith("/incidents/2"))
        self.assertIn("Incident 2", herent.find("h1").text)
        herent.click("#lang-switch a[hreflang=en]")

        # Measures known before the risk is assessed: recorded with the risk left at "not
        # assessed yet" (before: refused, "Choose none, risk or high.").
        self.assertTrue(herent.find("#risk option[value=unknown]").is_selected())
        herent.find("#measures").send_keys("Remote wipe requested")
        herent.click("#assess")
        self.assertEqual(herent.finds("#risk-error"), [])
        self.assertEqual(herent.find("#measures").get_attribute("value"), "Remote wipe requested")
        # The assessment is among the facts (before: only inside the form, gone once closed).
        self.assertIn("Measures taken or proposed (GDPR art. 33(3)(d))\nRemote wipe requested",
                      herent.find("#facts").text)
        self.assertEqual(herent.finds("#obligations tr[data-rule='gdpr.art34_subjects']"), [])

        # The DPO assesses the risk as high: GDPR art. 34 (inform the data subjects) starts. A
        # bad count is refused at its field first, and nothing changes.
        herent.find("#risk option[value=high]").click()
        herent.find("#subject_count").clear()
        herent.find("#subject_count").send_keys("many")
        herent.click("#assess")
        self.assertEqual(herent.find("#subject_count-error").text, "Not a whole number.")
        self.assertEqual(herent.finds("#obligations tr[data-rule='gdpr.art34_subjects']"), [])
        herent.find("#subject_count").clear()
        herent.find("#subject_count").send_keys("120")
        herent.click("#assess")
        self.assertIn("Communication of the breach to the data subjects",
                      herent.find("#obligations tr[data-rule='gdpr.art34_subjects']").text)
        self.assertIn("120", herent.find("#facts").text)
        # Assessed, the risk can be changed but not taken back to "not assessed yet".
        self.assertEqual(herent.finds("#risk option[value=unknown]"), [])
        # Art. 34 is waived only on a ground of art. 34(3): the form says what each ground is
        # (before: bare "a", "b", "c").
        art34 = herent.find("#obligations tr[data-rule='gdpr.art34_subjects']").get_attribute(
            "data-obligation")
        herent.open("/obligations/" + art34)
        self.assertEqual(herent.find("#ground option[value=a]").text,
                         "a) appropriate technical and organisational protection measures (such as "
                         "encryption) were applied to the data affected")

        # Closing: refused while an obligation is open (the error at the summary), then done.
        herent.open("/incidents/1")
        herent.find("#summary").send_keys("Mail gewist door de ontvanger")
        herent.click("#close")
        self.assertRegex(herent.find("#summary-error").text,
                         r"Obligation \d+ \(Breach notification to the supervisory authority\)")
        self.assertEqual(len(herent.finds("#close-form")), 1)
        # Kortenberg's DPO records the consultation held with Herent (protocol art. 13; either
        # party may): what was agreed is required, then it fulfils the consultation.
        kortenberg.open(incident_url)
        kortenberg.find("#participants").send_keys("DPO Herent, DPO Kortenberg")
        kortenberg.click("#consult")
        self.assertEqual(kortenberg.find("#agreed-error").text, "Verplicht.")
        kortenberg.find("#agreed").send_keys("Beide partijen controleren hun kopieën")
        kortenberg.click("#consult")
        self.assertTrue(kortenberg.driver.current_url.endswith(incident_url))
        row = kortenberg.find("#obligations tr[data-rule='protocol.breach_consultation']")
        self.assertIn("nageleefd", row.find_element(By.CSS_SELECTOR, ".state").text)
        # "Onmiddellijk" sets no legal limit: the due time is a policy target, not shown as one.
        self.assertIn("geen vaste termijn (beleidsdoel)", row.text)
        self.assertEqual(kortenberg.finds("#consult-form"), [])
        herent.open(incident_url)
        herent.click("#close")
        self.assertEqual(herent.find("#summary-error").text, "Required.")
        herent.find("#summary").send_keys("USB-stick teruggevonden; procedure aangepast")
        herent.click("#close")
        self.assertIn("USB-stick teruggevonden", herent.find("#facts").text)
        self.assertEqual(herent.finds("#close-form"), [])
        herent.wait_for_text("#history", ["Incident closed"])

        # The breach register: every incident of Herent as a table, filtered by year, with its
        # CSV export; a year out of range is refused at its field.
        herent.click("nav a[href='/registers/incidents']")
        self.assertEqual(herent.find("h1").text, "Breach register (GDPR art. 33(5))")
        rows = herent.finds("#register tbody tr")
        self.assertEqual(len(rows), 3)
        self.assertIn("USB-stick met cliëntendossiers verloren", herent.find("#register").text)
        self.assertIn("closed", rows[-1].text)
        self.assertTrue(herent.find("#export-csv").get_attribute("href").endswith(
            "/registers/incidents.csv?party=herent"))
        herent.find("#year").send_keys("1900")
        herent.click("#show")
        self.assertEqual(herent.find("#year-error").text, "Not a year between 1970 and 2100.")
        self.assertEqual(herent.finds("#register tbody tr"), [])
        herent.find("#year").clear()
        herent.find("#year").send_keys(str(datetime.datetime.now(BRUSSELS).year))
        herent.click("#show")
        self.assertEqual(len(herent.finds("#register tbody tr")), 3)
        # Another party's DPO may not read Herent's register (policy::may_read_register).
        kortenberg.open("/registers/incidents?party=herent")
        self.assertEqual(kortenberg.find("h1").text, "Niet toegestaan")
        self.assertEqual(kortenberg.find("#error-message").text, "Uw rol laat dit niet toe.")

        # The compliance page: its charts' texts are measured too.
        herent.open("/compliance")
        self.assertEqual(len(herent.finds("#rate-chart svg")), 1)

        # A form posted without its token is refused.
        herent.open("/incidents/new")
        herent.driver.execute_script("document.querySelector('input[name=csrf]').remove()")
        herent.find("#title").send_keys("Forged")
        herent.click("#submit")
        self.assertEqual(herent.find("h1").text, "Not allowed")
        self.assertEqual(herent.find("#error-message").text,
                         "The form is out of date or came from another site: reload the page and retry.")

    def test_request_with_upload(self):
        # A reporter logs a request with the copy of the original; a file of a forbidden type is
        # refused at the copy field.
        reporter = self.browser("herent-reporter")
        work = tempfile.mkdtemp(prefix="termijn-upload-")
        exe = os.path.join(work, "letter.pdf")
        with open(exe, "wb") as f:
            f.write(b"MZ\x90\x00" + b"\x00" * 200)
        reporter.open("/requests/new")
        reporter.find("#kind option[value=access]").click()
        reporter.find("#summary").send_keys("Cliënt vraagt een kopie van het dossier")
        reporter.find("#copy").send_keys(exe)
        reporter.click("#submit")
        self.assertNotEqual(reporter.find("#copy-error").text, "")
        pdf = os.path.join(work, "brief.pdf")
        with open(pdf, "wb") as f:
            f.write(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        reporter.find("#kind option[value=access]").click()
        reporter.find("#copy").send_keys(pdf)
        reporter.click("#submit")
        self.assertRegex(reporter.driver.current_url, r"/requests/\d+$")
        # Its size in bytes under a kibibyte, in KiB and MiB above (before: bytes at any size).
        self.assertEqual(reporter.find("#copy-link").text,
                         "Kopie van het origineel: brief.pdf (application/pdf, 45 B)")
        rules = [r.get_attribute("data-rule") for r in reporter.finds("#obligations tbody tr")]
        self.assertIn("gdpr.art12_response", rules)
        shutil.rmtree(work, ignore_errors=True)
        request_url = reporter.driver.current_url[len(self.termijnd.origin):]
        self.assertEqual(reporter.finds("#extend-form"), [])  # the DPO extends, not a reporter
        # The menu offers what each may do (before: every link to everyone, refused after the
        # form was filled in): a reporter records but reads no register; an auditor reads the
        # registers but records nothing.
        self.assertEqual(reporter.finds("nav a[href='/registers/incidents']"), [])
        self.assertNotEqual(reporter.finds("nav a[href='/incidents/new']"), [])
        auditor = self.browser("auditor")
        auditor.open("/")
        self.assertEqual(auditor.finds("nav a[href='/incidents/new']"), [])
        self.assertEqual(auditor.finds("nav a[href='/matters/new']"), [])
        self.assertNotEqual(auditor.finds("nav a[href='/registers/incidents']"), [])
        # Its list covers every party, and the filter says so (before: the first party selected).
        every = auditor.find("#filter-party option[value='']")
        self.assertEqual(every.text, "Alle partijen")
        self.assertTrue(every.is_selected())
        # The copy downloads by its own name (before: "request-1-copy", no extension to open it by).
        status, headers, body = self.termijnd.curl("herent-dpo", request_url + "/copy")
        self.assertEqual(status, 200)
        self.assertIn("content-disposition: attachment; filename=\"brief.pdf\"; "
                      "filename*=utf-8''brief.pdf", headers.lower())
        self.assertTrue(body.startswith("%PDF-1.4"))

        # The DPO extends the answer period (GDPR art. 12(3)); bad input is refused at its field,
        # in the user's language, and changes nothing.
        dpo = self.browser("herent-dpo")
        dpo.open(request_url)
        dpo.find("#extension_reason").send_keys("Het dossier ligt verspreid over drie archieven")
        dpo.click("#extend")
        self.assertEqual(dpo.find("#months-error").text, "Verplicht.")
        self.assertEqual(dpo.find("#extension_reason").get_attribute("value"),
                         "Het dossier ligt verspreid over drie archieven")
        # A value the form does not offer reaches the use case, which refuses it.
        dpo.driver.execute_script("document.querySelector('#months option[value=\"2\"]').value = '3'")
        dpo.find("#months option[value='3']").click()
        dpo.click("#extend")
        self.assertEqual(dpo.find("#months-error").text, "Kies 1 of 2 maanden (AVG art. 12(3)).")
        self.assertEqual(dpo.finds("#obligations tr[data-rule='gdpr.art12_extension_notice']"), [])
        dpo.find("#months option[value='2']").click()
        dpo.click("#extend")
        self.assertTrue(dpo.driver.current_url.endswith(request_url))
        self.assertIn("2 maanden", dpo.find("#facts").text)
        rules = [r.get_attribute("data-rule") for r in dpo.finds("#obligations tbody tr")]
        self.assertIn("gdpr.art12_extension_notice", rules)
        self.assertEqual(dpo.finds("#extend-form"), [])

        # It records that more information was asked to identify the subject (GDPR art. 12(6));
        # a time before the receipt is refused at its field; empty is now.
        self.assertTrue(dpo.find("#identify-form input[value=asked]").is_selected())
        dpo.find("#identification_time").send_keys("2021-01-04T10:00")
        dpo.click("#identify")
        self.assertEqual(dpo.find("#identification_time-error").text, "Ligt vóór de ontvangst van het verzoek.")
        self.assertNotIn("Informatie gevraagd", dpo.find("#facts").text)
        dpo.find("#identification_time").clear()
        dpo.click("#identify")
        self.assertIn("Informatie gevraagd", dpo.find("#facts").text)
        self.assertTrue(dpo.find("#identify-form input[value=received]").is_selected())
        # Asked once, it can only come now: the form offers nothing else (before: "asked" again,
        # which was refused).
        self.assertEqual(dpo.finds("#identify-form input[value=asked]"), [])

        # It refuses to act on the request (GDPR art. 12(5)): a ground is required; then the answer
        # is waived and the duty to tell the subject why (art. 12(4)) starts.
        dpo.find("#refusal_reason").send_keys("Derde identieke vraag dit jaar")
        dpo.click("#refuse")
        self.assertEqual(dpo.find("#refusal_ground-error").text, "Verplicht.")
        self.assertEqual(dpo.find("#refusal_reason").get_attribute("value"), "Derde identieke vraag dit jaar")
        dpo.find("#refusal_ground option[value=excessive]").click()
        dpo.click("#refuse")
        self.assertTrue(dpo.driver.current_url.endswith(request_url))
        answer = dpo.find("#obligations tr[data-rule='gdpr.art12_response']")
        self.assertIn("afgezien", answer.find_element(By.CSS_SELECTOR, ".state").text)
        rules = [r.get_attribute("data-rule") for r in dpo.finds("#obligations tbody tr")]
        self.assertIn("gdpr.art12_refusal_notice", rules)
        self.assertEqual(dpo.finds("#refuse-form"), [])
        self.assertEqual(dpo.finds("#identify-form"), [])

        # The register of requests lists it, extended.
        dpo.open("/registers/requests")
        self.assertEqual(len(dpo.finds("#register tbody tr")), 1)
        self.assertIn("inzage", dpo.find("#register").text)

        # The DPO reports a protocol matter (ReportMatter): a staff reference is refused for a
        # change in the law, at its field; then the matter has its page, read only, and its
        # deadlines on the dashboard link to it.
        dpo.click("nav a[href='/matters/new']")
        dpo.find("#kind option[value=law-change]").click()
        dpo.find("#summary").send_keys("Nieuw decreet over het lokaal bestuur")
        dpo.find("#staff_ref").send_keys("P-1234")
        dpo.click("#submit")
        self.assertEqual(dpo.find("#staff_ref-error").text, "Enkel bij het vertrek van een personeelslid.")
        self.assertEqual(self.termijnd.sql("SELECT count(*) FROM matter"), "0")
        dpo.find("#staff_ref").clear()
        dpo.click("#submit")
        self.assertRegex(dpo.driver.current_url, r"/matters/\d+$")
        self.assertIn("wijziging van wetgeving", dpo.find("h1").text)
        dpo.open("/")
        links = [a.get_attribute("href") for a in dpo.finds("#deadlines tbody td:nth-child(2) a")
                 if a.text.startswith("Aangelegenheid ")]
        self.assertTrue(links)
        self.assertRegex(links[0], r"/matters/\d+$")
        dpo.open(links[0][len(self.termijnd.origin):])
        self.assertIn("wijziging van wetgeving", dpo.find("h1").text)
        self.assertIn("Nieuw decreet over het lokaal bestuur", dpo.find("#facts").text)
        self.assertNotEqual(dpo.finds("#obligations tbody tr"), [])


class HeldNoticeTest(BrowserTest):
    """Breach notices held for review (auto_send = false) are reviewed and sent in the console."""

    @staticmethod
    def edit_config(config):
        held = '[rules."protocol.breach_notice"]\nauto_send = false'
        config = config.replace('[rules."protocol.breach_notice"]\nauto_send = true', held)
        assert held in config
        return config

    def test_owners_dpo_reviews_and_sends_a_held_notice(self):
        # The owner's DPO reads the mail as it would go out and sends it; the other party's DPO
        # may not send it; sending it twice is refused by its state, in the user's language.
        herent = self.browser("herent-dpo")
        herent.open("/incidents/new")
        herent.find("#title").send_keys("Dossier naar de verkeerde partner gemaild")
        herent.click("#submit")
        incident_url = herent.driver.current_url[len(self.termijnd.origin):]
        row = herent.find("#notices tbody tr")
        notice = row.get_attribute("data-notification")
        self.assertIn("wacht op nazicht", row.text)
        herent.click("#review-" + notice)
        self.assertEqual(herent.find("#notification-state").text, "wacht op nazicht")
        self.assertIn("dpo@kortenberg.example", herent.find("#mail-to").text)
        self.assertNotEqual(herent.find("#mail-subject").text, "")
        self.assertNotEqual(herent.find("#mail-body").text, "")

        status, body = self.post("kortenberg-dpo", "/notifications/%s/send" % notice)
        self.assertIn(status, (403, 404))
        self.assertEqual(self.termijnd.sql("SELECT state FROM notification WHERE id = %s" % notice), "held")
        status, body = self.post("herent-reporter", "/notifications/%s/send" % notice)
        self.assertEqual(status, 403)
        self.assertIn("Uw rol laat dit niet toe.", body)

        herent.click("#send")
        self.assertTrue(herent.driver.current_url.endswith(incident_url))
        herent.wait_for_text("#notices", ["verzonden"])
        status, body = self.post("herent-dpo", "/notifications/%s/send" % notice)
        self.assertEqual(status, 422)
        # Said in Dutch (before: "Dit kan niet in de huidige toestand van het dossier." and the
        # API's English reason).
        self.assertIn("Deze kennisgeving is al in verzending of verzonden; enkel een kennisgeving "
                      "die wacht op nazicht of mislukte, kan verzonden worden.", body)


if __name__ == "__main__":
    unittest.main()
