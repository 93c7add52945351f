import sharp from 'sharp';

/** A real PNG of the given size (a warm gradient), so the thumbnail endpoint has work to do. */
export async function pngImage(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      pixels[offset] = 255;
      pixels[offset + 1] = Math.round(80 + (150 * x) / width);
      pixels[offset + 2] = Math.round(60 + (120 * y) / height);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
