import { enGB, type NLocale } from 'naive-ui';

// The kit's own words ("Please Input", "No Data", year-first dates) would leak into every
// screen that forgets to set them: these are the application's defaults instead. A field
// asks for nothing by itself (its label says what to enter), and dates read as the rest of
// the application writes them (05/03/2016).
export const locale: NLocale = {
  ...enGB,
  Input: { placeholder: '' },
  InputNumber: { placeholder: '' },
  Select: { placeholder: 'Choose…' },
  Cascader: { ...enGB.Cascader, placeholder: 'Choose…' },
  Empty: { description: 'Nothing to show' },
  TimePicker: { ...enGB.TimePicker, placeholder: '' },
  Time: { dateFormat: 'dd/MM/yyyy', dateTimeFormat: 'dd/MM/yyyy HH:mm' },
  DatePicker: {
    ...enGB.DatePicker,
    dateFormat: 'dd/MM/yyyy',
    dateTimeFormat: 'dd/MM/yyyy HH:mm',
    monthTypeFormat: 'MM/yyyy',
    datePlaceholder: '',
    datetimePlaceholder: '',
  },
};
