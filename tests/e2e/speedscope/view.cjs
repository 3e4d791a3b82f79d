// Opens a speedscope file in the real speedscope app in headless Chromium and reports what it
// shows, as one JSON line on stdout:
//   {title, toolbar, flameColors, sandwichText}
// flameColors: distinct colours in the flame graph's canvas area (a blank canvas has 1 or 2);
// sandwichText: the text of the sandwich view, a DOM table of every function.
//
//   node view.cjs NODE_MODULES CHROMIUM URL SCREENSHOT.png
const path = require('path');

async function main() {
  const [modules, chromium, url, screenshot] = process.argv.slice(2);
  const { chromium: browserType } = require(path.join(modules, 'playwright-core'));
  const browser = await browserType.launch({
    executablePath: chromium,
    headless: true,
    // speedscope draws with WebGL: software rendering in a headless container.
    args: ['--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--ignore-gpu-blocklist'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 640 } });
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(url);
    // speedscope names the tab after the loaded profile.
    await page.waitForFunction(() => / - speedscope$/.test(document.title), null, { timeout: 30000 });
    await page.waitForSelector('canvas', { timeout: 30000 });
    await page.waitForTimeout(1500);  // a few animation frames for the first draw
    await page.screenshot({ path: screenshot });

    // The largest canvas is the flame graph; count its colours from a screenshot of its box.
    const box = await page.evaluate(() => {
      let best = null;
      for (const canvas of document.querySelectorAll('canvas')) {
        const r = canvas.getBoundingClientRect();
        if (!best || r.width * r.height > best.width * best.height)
          best = { x: r.x, y: r.y, width: r.width, height: r.height };
      }
      return best;
    });
    const clip = await page.screenshot({ clip: box });
    const flameColors = await page.evaluate(async (base64) => {
      const image = new Image();
      image.src = 'data:image/png;base64,' + base64;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d');
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, image.width, image.height).data;
      const colours = new Set();
      for (let i = 0; i < pixels.length; i += 4)
        colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      return colours.size;
    }, clip.toString('base64'));
    const toolbar = await page.evaluate(() => document.body.innerText.split('\n').slice(0, 12).join(' | '));

    await page.keyboard.press('3');  // the sandwich view
    await page.waitForTimeout(1000);
    const sandwichText = await page.evaluate(() => document.body.innerText);
    process.stdout.write(JSON.stringify({ title: await page.title(), toolbar, flameColors,
                                          sandwichText, errors }) + '\n');
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + '\n');
  process.exit(1);
});
