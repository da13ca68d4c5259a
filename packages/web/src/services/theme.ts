/**
 * Dark by default, light on request; the choice is remembered in localStorage. The class on
 * <html> drives Tailwind's `dark:` variant (index.html ships with `class="dark"`, so the
 * default paints dark before any script runs).
 */
import { THEME_KEY, type Theme, useTheme } from "../store/theme";

export function applyTheme(theme: Theme = useTheme.getState().theme): void {
  document.documentElement.classList.toggle("dark", theme === "dark");
  document.documentElement.style.colorScheme = theme;
}

export function setTheme(theme: Theme): void {
  useTheme.setState({ theme });
  applyTheme(theme);
  try {
    window.localStorage.setItem(THEME_KEY, theme);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
}
