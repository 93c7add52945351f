/**
 * Chat text for the messages benchmark: mixed Russian and English, generated from word lists
 * with a Zipf-like word frequency (a few words very common, a long tail of rare ones), inflected
 * forms (so Russian and English stemming matter), sentence templates, code-switching, numbers,
 * links, emoji and @mentions. Deterministic for a given seed.
 *
 * Two search terms are planted on purpose:
 *   COMMON_TERM ('проект'): a template slot and a frequent word, in a few per cent of messages.
 *   RARE_TERM ('квазикристалл'): one message in ~RARE_EVERY, in various inflections.
 */

/** Mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const COMMON_TERM = 'проект';
export const RARE_TERM = 'квазикристалл';
/** Roughly one message in this many mentions RARE_TERM. */
export const RARE_EVERY = 40_000;

const words = (text: string): string[] => text.trim().split(/\s+/);

// Russian, roughly by frequency in chat (function words first, then content words in several forms).
const RU = words(`
  и в не на я что с а то это как он по но у так все она да же вы за бы мы ты из от ещё уже
  там тут вот нет если или когда только может надо сейчас потом завтра сегодня вчера очень
  просто тоже ну ладно хорошо давай спасибо привет ок понял смотри кстати короче конечно
  задача задачи задачу задач встреча встречи встречу
  релиз релиза релизе сборка сборки сборку тесты тестов тест ошибка ошибки ошибку баг баги багов
  сервер сервера сервере база базы базу данных данные запрос запросы запроса клиент клиента клиенты
  отчёт отчёта отчёты отчётом документ документа документы файл файлы файла ссылка ссылку ссылки
  команда команды команде неделя неделе недели понедельник вторник среду четверг пятницу выходные
  время времени минут минуту час часа утром вечером днём ночью срок сроки сроков дедлайн
  сделать сделал сделала сделали сделаю посмотреть посмотрю посмотрел проверить проверю проверил
  написать напишу написал отправить отправлю отправил прислать пришлю прислал обсудить обсудим
  созвониться созвонимся начать начнём закончить закончу закончил работает работать работаю
  нужно можно нельзя должен должна должны готово готов готова сломалось починил починили
  вопрос вопросы вопросов ответ ответа ответил идея идеи план плана планы решение решения
  пользователь пользователи пользователей интерфейс дизайн макет макеты страница страницы
  деплой деплоя прод прода стенд стенде ветка ветку мерж ревью код кода коде коммит
  бюджет бюджета договор договора счёт счета оплата оплату клиентом заказчик заказчика
  кофе обед обеда отпуск отпуске больничный домой офис офисе удалённо погода дождь
  мама папа дети ребёнок друзья подарок день рождения праздник поездка билеты гостиница
  интересно странно отлично супер круто жаль увы согласен согласна думаю кажется видимо
  новый новая новые старый старая большой маленький важный важно срочно быстро медленно
  первый второй третий последний следующий прошлый весь всё всех всем каждый другой
  презентация презентацию презентации аналитика метрики метрик график графики дашборд
  миграция миграции индекс индексы таблица таблицы поиск поиска поиском кэш очередь очереди
  проект проекта проекту проектом проекте проекты
  `);

const EN = words(`
  the to i you it and a is that for in on we of this be have do not can just it's i'm
  will so what ok thanks yes no please sure let's today tomorrow yesterday now later soon
  project projects meeting meetings release releases build builds test tests testing bug bugs
  issue issues fix fixed fixing deploy deployed deployment server servers database query queries
  report reports document documents file files link links team teams week weekend monday friday
  time minutes hour morning evening deadline deadlines task tasks ticket tickets sprint review
  reviewed reviewing merge merged branch commit code change changes customer customers client
  user users design designs page pages feature features update updated updating plan plans
  idea ideas question questions answer budget invoice contract call calls calling sync demo
  slides dashboard metrics chart charts migration migrations index indexes table search cache queue
  coffee lunch holiday vacation office remote weather home kids birthday party trip tickets hotel
  great good nice cool awesome sorry weird interesting agreed think looks seems probably maybe
  new old big small important urgent quick quickly slow first second next last every other
  check checked checking send sent look looked looking work works working start started finish
  finished need needs needed done ready broken working running failed failing passed green red
  `);

const RU_RARE_FORMS = ['квазикристалл', 'квазикристалла', 'квазикристаллы', 'квазикристаллов', 'квазикристаллом'];

const EMOJI = ['👍', '🙂', '😂', '🔥', '🎉', '🙏', '😅', '🤔', '✅', '❤️', '👀', '🚀'];
const NAMES_RU = ['Маша', 'Саша', 'Лена', 'Дима', 'Катя', 'Серёжа', 'Оля', 'Андрей', 'Ира', 'Паша'];
const NAMES_EN = ['Alice', 'Bob', 'Carol', 'Dave', 'Eve', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy'];

/** A sampler over list with P(rank r) ∝ 1 / (r + offset)^s. */
function zipf(list: readonly string[], random: () => number, s = 1.05, offset = 2.5): () => string {
  const cumulative = new Float64Array(list.length);
  let total = 0;
  for (let r = 0; r < list.length; r++) {
    total += 1 / (r + offset) ** s;
    cumulative[r] = total;
  }
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return list[lo]!;
  };
}

const pick = <T>(list: readonly T[], random: () => number): T => list[Math.floor(random() * list.length)]!;
const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export interface TextGenerator {
  /** A chat message body. mentionable: usernames that may be @mentioned (members of the conversation). */
  message(mentionable?: readonly string[]): {
    body: string;
    mentioned: string[];
  };
}

export function createTextGenerator(seed: number): TextGenerator {
  const random = rng(seed);
  const ru = zipf(RU, random);
  const en = zipf(EN, random);

  const ruTemplates: (() => string)[] = [
    () => `${pick(['посмотри', 'глянь', 'проверь'], random)} ${pick(['отчёт', 'задачу', 'ревью', 'макет', 'документ', 'проект'], random)}, пожалуйста`,
    () => `по ${pick(['проекту', 'релизу', 'договору', 'бюджету'], random)} ${pick(['всё ок', 'есть вопросы', 'пока тишина', 'ждём ответа от заказчика'], random)}`,
    () => `${pick(['созвонимся', 'встретимся', 'обсудим'], random)} ${pick(['в понедельник', 'завтра в 11', 'после обеда', 'в пятницу', 'на неделе'], random)}?`,
    () =>
      `${pick(NAMES_RU, random)}, ${pick(['ты', 'вы'], random)} ${pick(['видел', 'видела', 'смотрели'], random)} ${pick(['новый', 'последний', 'вчерашний'], random)} ${pick(['релиз', 'отчёт', 'дашборд', 'проект'], random)}?`,
    () => `сборка ${pick(['упала', 'прошла', 'зелёная', 'снова красная'], random)} на ${pick(['стенде', 'проде', 'ветке main', 'ревью'], random)}`,
    () =>
      `в проекте ${pick(['опять', 'снова', 'наконец'], random)} ${pick(['поменяли требования', 'закрыли все задачи', 'нашли баг с индексом', 'обновили дизайн'], random)}`,
    () => `${pick(['спасибо', 'отлично', 'супер', 'понял', 'ок'], random)}${pick(['!', '', ' 👍', ', беру в работу'], random)}`,
  ];
  const enTemplates: (() => string)[] = [
    () => `can you ${pick(['take a look at', 'review', 'check'], random)} the ${pick(['report', 'PR', 'design', 'ticket', 'dashboard'], random)}?`,
    () => `${pick(['meeting', 'sync', 'demo', 'call'], random)} ${pick(['moved to', 'at', 'is'], random)} ${pick(['3pm', 'tomorrow', 'friday', '10:30'], random)}`,
    () =>
      `the ${pick(['build', 'deploy', 'migration', 'test suite'], random)} ${pick(['is green again', 'failed on staging', 'took forever', 'looks good'], random)}`,
    () =>
      `${pick(NAMES_EN, random)}, ${pick(['any news on', 'how is', 'what about'], random)} the ${pick(['release', 'invoice', 'contract', 'migration'], random)}?`,
    () => `${pick(['thanks', 'great', 'sounds good', 'ok', 'sure'], random)}${pick(['!', '', ' 🙂', ', on it'], random)}`,
  ];

  const sentenceOf = (lang: 'ru' | 'en' | 'mixed'): string => {
    if (random() < 0.35) {
      const templates = lang === 'en' ? enTemplates : ruTemplates;
      return pick(templates, random)();
    }
    const length = 2 + Math.floor(random() ** 1.6 * 14);
    const out: string[] = [];
    for (let i = 0; i < length; i++) {
      if (lang === 'mixed') out.push(random() < 0.3 ? en() : ru());
      else out.push(lang === 'ru' ? ru() : en());
    }
    if (random() < 0.06) out.splice(Math.floor(random() * out.length), 0, String(Math.floor(random() * 1000)));
    return out.join(' ');
  };

  return {
    message(mentionable = []) {
      const roll = random();
      const lang = roll < 0.55 ? 'ru' : roll < 0.88 ? 'en' : 'mixed';
      const sentences = random() < 0.75 ? 1 : random() < 0.8 ? 2 : 3;
      const parts: string[] = [];
      for (let i = 0; i < sentences; i++) {
        const sentence = capitalise(sentenceOf(lang));
        parts.push(sentence + (/[!?.]$/.test(sentence) ? '' : pick(['.', '', '', '!', '?', '…'], random)));
      }
      let body = parts.join(' ');
      const mentioned: string[] = [];
      if (mentionable.length > 0 && random() < 0.02) {
        const name = pick(mentionable, random);
        mentioned.push(name);
        body = `@${name} ${body}`;
      }
      if (random() < 1 / RARE_EVERY) body += ` ${lang === 'en' ? 'about the' : 'про'} ${pick(RU_RARE_FORMS, random)}`;
      if (random() < 0.03) body += ` https://example.test/${pick(['docs', 'tickets', 'pr', 'wiki'], random)}/${Math.floor(random() * 100000)}`;
      if (random() < 0.08) body += ` ${pick(EMOJI, random)}`;
      return { body, mentioned };
    },
  };
}
