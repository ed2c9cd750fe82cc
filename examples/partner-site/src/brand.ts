import type { SiteBrandingQuery } from './generated/graphql';

export type Brand = SiteBrandingQuery['partnerBranding'];

const DEFAULT_PRIMARY = '#1f4b99';
const DEFAULT_ACCENT = '#f2a900';

/** Black or white text, whichever reads better on the colour (WCAG relative luminance). */
export function textOn(hex: string): '#000000' | '#ffffff' {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.179 ? '#000000' : '#ffffff';
}

/** The partner's colours as CSS variables (set through the CSSOM: the site's CSP allows no inline styles) and its name as the title. */
export function applyBrand(brand: Pick<Brand, 'brandName' | 'primaryColor' | 'accentColor'> | undefined): void {
  const primary = brand?.primaryColor ?? DEFAULT_PRIMARY;
  const accent = brand?.accentColor ?? DEFAULT_ACCENT;
  const root = document.documentElement.style;
  root.setProperty('--brand', primary);
  root.setProperty('--on-brand', textOn(primary));
  root.setProperty('--accent', accent);
  root.setProperty('--on-accent', textOn(accent));
  document.title = brand ? `${brand.brandName} — events` : 'Events';
}
