#!/usr/bin/env python3
"""Regenerates docs/serve.png: the page for STUDY with one change made and one intervention on.

usage: screenshot.py MISTAKESIM STUDY OUT.png   (e.g. build/mistakesim configs/training-options.toml docs/serve.png)
"""

import subprocess
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

exe, study, out = sys.argv[1:4]
server = subprocess.Popen([exe, "serve", study], stdout=subprocess.PIPE, text=True)
try:
    server.stdout.readline()
    url = server.stdout.readline().strip()
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,900", f"--user-data-dir={tempfile.mkdtemp(prefix='serve-shot-')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, 60)
    driver.get(url)
    wait.until(lambda d: d.find_element(By.ID, "cost-mean").get_attribute("data-value"))
    before = driver.find_element(By.ID, "cost-mean").get_attribute("data-value")
    row = driver.find_element(By.CSS_SELECTOR, '.param[data-path="mistake.pilot-no-criteria.probability"]')
    mode = row.find_element(By.CSS_SELECTOR, 'input[data-key="mode"]')
    mode.clear()
    mode.send_keys("0.1")
    wait.until(lambda d: d.find_element(By.ID, "cost-mean").get_attribute("data-value") != before)
    driver.find_element(By.CSS_SELECTOR, 'input[data-intervention="deal-reviews"]').click()
    wait.until(lambda d: d.find_elements(By.ID, "savings"))
    driver.execute_script("const box = document.getElementById('inputs'); box.scrollTop = document.getElementById('interventions').offsetTop - box.offsetTop - 8")
    driver.save_screenshot(out)
    driver.quit()
finally:
    server.terminate()
    server.wait()
