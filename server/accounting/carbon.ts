// Energy to carbon: g CO2e = kWh x grid intensity (g/kWh) x PUE (field notes). The grid figure is
// the site's hourly profile at the call's UTC hour when the site gives one, else its flat average.
import type { Site } from '../config/schema';

export const JOULES_PER_KWH = 3.6e6;

export function gridIntensity(site: Site, at: Date = new Date()): number {
  return site.intensityByHour ? site.intensityByHour[at.getUTCHours()] : site.gridGPerKwh;
}

export function co2Grams(energyJ: number, site: Site, at: Date = new Date()): number {
  return (energyJ / JOULES_PER_KWH) * gridIntensity(site, at) * site.pue;
}
