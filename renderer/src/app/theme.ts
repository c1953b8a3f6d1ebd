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
};
