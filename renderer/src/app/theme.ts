import type { GlobalThemeOverrides } from 'naive-ui';

// NHS identity colours: blue for actions, dark grey text, plain white surfaces.
export const themeOverrides: GlobalThemeOverrides = {
  common: {
    primaryColor: '#005eb8',
    primaryColorHover: '#1d70c2',
    primaryColorPressed: '#003087',
    primaryColorSuppl: '#005eb8',
    errorColor: '#d5281b',
    warningColor: '#b55a00',
    successColor: '#007f3b',
    textColorBase: '#212b32',
    fontFamily: 'Arimo, Arial, Helvetica, sans-serif',
    fontSize: '15px',
    fontSizeMedium: '15px',
    borderRadius: '4px',
  },
  // Tags carry status words ("Overdue", "Opted out"): the kit's pale text on pale fills is
  // below 4.5:1, so each type gets a dark text on its light fill (all at least 7:1).
  Tag: {
    textColor: '#212b32',
    color: '#eef0f1',
    textColorInfo: '#003d78',
    colorInfo: '#e6f0fa',
    textColorSuccess: '#00401e',
    colorSuccess: '#e5f3eb',
    textColorWarning: '#5c2e00',
    colorWarning: '#fdf0e1',
    textColorError: '#8a1a12',
    colorError: '#fbe9e7',
    textColorPrimary: '#003d78',
    colorPrimary: '#e6f0fa',
  },
};
