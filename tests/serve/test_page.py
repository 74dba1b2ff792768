#!/usr/bin/env python3
"""`mistakesim serve` in a real browser: headless Chromium driven by Selenium.

Loads the page for a copy of training-options.toml, checks the headline against `mistakesim run`,
changes a mistake's probability and checks the new headline against the CLI on a study edited by
hand (not through the server), switches an intervention on and checks its savings against
`mistakesim compare`, types a bad value and checks the message beside the field against the CLI's,
saves, runs the saved file in the CLI, and asks before replacing it. Screenshots are kept in
ARTIFACTS. Exit 77 (ctest: skipped) only when Chromium, chromedriver or Selenium is missing.

usage: test_page.py MISTAKESIM SOURCE_DIR ARTIFACTS
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77
TRIALS = 4000  # the page and the CLI run the same trials


def skip(why):
    print(f"SKIPPED: {why}")
    sys.exit(SKIP)


try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    skip("python3-selenium is not installed (scripts/setup-deps installs it)")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
if not CHROMIUM or not DRIVER:
    skip("Chromium or chromedriver is missing (Debian packages chromium, chromium-driver)")

exe, source, artifacts = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(artifacts, exist_ok=True)


def cli(*args, expect=0):
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)
    assert p.returncode == expect, f"{args}: exit {p.returncode}\n{p.stderr}"
    return p


def cli_mean(study):
    return json.loads(cli("run", study, "--trials", str(TRIALS), "--json", "-", "-q").stdout)["cost"]["total"]["mean"]


work = tempfile.mkdtemp(prefix="serve-page-")
study_dir = os.path.join(work, "study")
hand_dir = os.path.join(work, "by-hand")
for d in (study_dir, hand_dir):
    os.makedirs(d)
    for f in ("mid-market.toml", "training-options.toml"):
        shutil.copy(os.path.join(source, "configs", f), d)
study = os.path.join(study_dir, "training-options.toml")

# The same edit made by hand: pilot-no-criteria's probability mode 0.25 -> 0.1 in the base file.
hand_base = os.path.join(hand_dir, "mid-market.toml")
text = open(hand_base).read()
old = 'probability = { dist = "pert", min = 0.1, mode = 0.25, max = 0.5 }'
assert text.count(old) == 1, "mid-market.toml's pilot-no-criteria line changed: update this test"
open(hand_base, "w").write(text.replace(old, 'probability = { dist = "pert", min = 0.1, mode = 0.1, max = 0.5 }'))
hand_study = os.path.join(hand_dir, "training-options.toml")
bad_base = os.path.join(work, "bad", "mid-market.toml")
os.makedirs(os.path.dirname(bad_base))
shutil.copy(os.path.join(source, "configs", "training-options.toml"), os.path.dirname(bad_base))
open(bad_base, "w").write(text.replace(old, 'probability = { dist = "pert", min = 0.1, mode = 0.25, max = 1.5 }'))

server = subprocess.Popen([exe, "serve", study, "--port", "0", "--trials", str(TRIALS)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
driver = None
try:
    server.stdout.readline()
    url = server.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:") and "token=" in url, url

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000", f"--user-data-dir={work}/profile"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    wait = WebDriverWait(driver, 30)
    driver.get(url)

    def figure(element_id):
        return float(driver.find_element(By.ID, element_id).get_attribute("data-value"))

    wait.until(lambda d: d.find_element(By.ID, "cost-mean").get_attribute("data-value"))
    loaded = figure("cost-mean")
    assert loaded == cli_mean(study), (loaded, cli_mean(study))
    assert "Same as the study as loaded" in driver.find_element(By.ID, "difference").text
    driver.save_screenshot(os.path.join(artifacts, "serve-loaded.png"))

    # 1. a mistake's probability
    path = "mistake.pilot-no-criteria.probability"
    row = driver.find_element(By.CSS_SELECTOR, f'.param[data-path="{path}"]')
    mode = row.find_element(By.CSS_SELECTOR, 'input[data-key="mode"]')
    assert mode.get_attribute("value") == "0.25"
    mode.clear()
    mode.send_keys("0.1")
    wait.until(lambda d: figure("cost-mean") != loaded)
    edited = figure("cost-mean")
    assert edited == cli_mean(hand_study), (edited, cli_mean(hand_study))
    difference = driver.find_element(By.ID, "difference")
    assert float(difference.get_attribute("data-value")) < 0 and "95% CI" in difference.text, difference.text
    driver.save_screenshot(os.path.join(artifacts, "serve-edited.png"))

    # 2. an intervention's savings, as `compare` gives them for the same edited study
    driver.find_element(By.CSS_SELECTOR, 'input[data-intervention="pilot-training"]').click()
    wait.until(lambda d: d.find_elements(By.ID, "savings"))
    savings = figure("savings")
    compared = json.loads(cli("compare", hand_study, "-i", "pilot-training", "--trials", str(TRIALS), "--json", "-",
                              "-q").stdout)
    expected = [c for c in compared["interventions"] if c["id"] == "pilot-training"][0]["savings"]["mean"]
    assert savings == expected, (savings, expected)
    assert figure("cost-mean") < edited
    driver.save_screenshot(os.path.join(artifacts, "serve-intervention.png"))
    driver.find_element(By.CSS_SELECTOR, 'input[data-intervention="pilot-training"]').click()
    wait.until(lambda d: not d.find_elements(By.ID, "savings"))

    # 3. a bad value: the CLI's message beside the field, the figures kept
    top = row.find_element(By.CSS_SELECTOR, 'input[data-key="max"]')
    top.clear()
    top.send_keys("1.5")
    error = row.find_element(By.CSS_SELECTOR, ".error")
    wait.until(lambda d: error.text)
    refused = cli("run", os.path.join(os.path.dirname(bad_base), "training-options.toml"), "--trials", "10", "-q",
                  expect=2).stderr.strip()
    assert refused.endswith(error.text), (refused, error.text)
    assert figure("cost-mean") == edited
    assert top.get_attribute("value") == "1.5"  # nothing typed is lost
    driver.save_screenshot(os.path.join(artifacts, "serve-bad-value.png"))
    top.clear()
    top.send_keys("0.5")
    wait.until(lambda d: not error.text)

    # 4. save as, run the saved file, and ask before replacing it
    name = driver.find_element(By.ID, "save-name")
    name.clear()
    name.send_keys("pilot-criteria.toml")
    driver.find_element(By.ID, "save").click()
    status = driver.find_element(By.ID, "save-status")
    wait.until(lambda d: status.text.startswith("Saved"))
    saved = os.path.join(study_dir, "pilot-criteria.toml")
    saved_text = open(saved).read()
    assert 'extends = "training-options.toml"' in saved_text
    assert saved_text.count("[[mistake]]") == 1 and "[pipeline]" not in saved_text and "[team]" not in saved_text
    assert cli_mean(saved) == edited
    driver.find_element(By.ID, "save").click()
    wait.until(lambda d: "replace it?" in status.text)
    assert driver.find_element(By.ID, "replace").is_displayed()
    assert open(saved).read() == saved_text
    driver.find_element(By.ID, "replace").click()
    wait.until(lambda d: status.text.startswith("Saved"))

    # 5. Download report: the report `run --report` writes for the saved study, the same charts
    origin = url.split("/?")[0]
    token = url.split("token=")[1]
    edits = {"edits": {path: {"dist": "pert", "min": "0.1", "mode": "0.1", "max": "0.5"}}}
    request = urllib.request.Request(f"{origin}/api/report?token={token}", data=json.dumps(edits).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert "attachment" in response.headers["Content-Disposition"]
        page_report = response.read().decode()
    cli_report = os.path.join(work, "cli-report.html")
    cli("run", saved, "--trials", str(TRIALS), "--report", cli_report, "-q")
    charts = re.compile(r"<svg[\s\S]*?</svg>")
    page_charts, cli_charts = charts.findall(page_report), charts.findall(open(cli_report).read())
    assert page_charts and page_charts == cli_charts, "the downloaded report's charts differ from run --report's"
    driver.find_element(By.ID, "download").click()
    wait.until(lambda d: status.text == "Report downloaded.")

    # 6. nothing fetched from anywhere but this server
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    foreign = [r for r in resources if not r.startswith(origin)]
    assert not foreign, foreign
    print(f"ok: loaded {loaded:.2f}, edited {edited:.2f} (= CLI), savings {savings:.2f} (= compare), saved {saved}")
finally:
    if driver:
        driver.quit()
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(work, ignore_errors=True)
