// The style gallery on its own (offscreen, no engine): which card each key picks in a
// gallery longer than the ten digit keys.
#include <QAbstractButton>
#include <QSignalSpy>
#include <QTest>

#include "style_gallery.h"

namespace stylize {
namespace {

QList<studio::StyleCard> cards(int n)
{
    QList<studio::StyleCard> list;
    for (int i = 0; i < n; ++i) {
        studio::StyleCard card;
        card.id = QStringLiteral("pack.stylepack#%1").arg(i);
        card.modelPath = QStringLiteral("pack.stylepack");
        card.slot = i;
        card.name = QStringLiteral("style-%1").arg(i);
        list.append(card);
    }
    return list;
}

}  // namespace

class StyleGalleryTest : public QObject {
    Q_OBJECT
private slots:
    void neighbourReachesEveryCardPastTheTenth()
    {
        ui::StyleGallery gallery;
        gallery.setStyles(cards(12));
        QCOMPARE(gallery.cardCount(), 12);
        QSignalSpy changed(&gallery, &ui::StyleGallery::selectionChanged);
        gallery.selectOnly(9);  // key 0
        gallery.selectNeighbour(1);
        QCOMPARE(gallery.selectedIds(), QStringList{gallery.idAt(10)});
        gallery.selectNeighbour(1);
        QCOMPARE(gallery.selectedIds(), QStringList{gallery.idAt(11)});
        gallery.selectNeighbour(1);  // round the end
        QCOMPARE(gallery.selectedIds(), QStringList{gallery.idAt(0)});
        gallery.selectNeighbour(-1);
        QCOMPARE(gallery.selectedIds(), QStringList{gallery.idAt(11)});
        QCOMPARE(changed.count(), 5);
    }

    void eachCardsTooltipNamesItsKeys()
    {
        ui::StyleGallery gallery;
        gallery.setStyles(cards(12));
        auto tip = [&](const QString& name) {
            for (const QAbstractButton* b : gallery.findChildren<QAbstractButton*>())
                if (b->accessibleName() == name)
                    return b->toolTip();
            return QString();
        };
        QVERIFY2(tip("style-0").contains("Key 1:"), qPrintable(tip("style-0")));
        QVERIFY2(tip("style-9").contains("Ctrl+0"), qPrintable(tip("style-9")));
        QVERIFY2(tip("style-10").contains("Page Down"), qPrintable(tip("style-10")));
    }

    void neighbourStepsFromTheStylePickedLast()
    {
        ui::StyleGallery gallery;
        gallery.setStyles(cards(12));
        gallery.setSelectedIds({gallery.idAt(2), gallery.idAt(6)});  // a blend: 6 was picked last
        gallery.selectNeighbour(-1);
        QCOMPARE(gallery.selectedIds(), QStringList{gallery.idAt(5)});
    }

    void neighbourWithNothingPickedStartsAtAnEnd()
    {
        ui::StyleGallery gallery;
        gallery.setStyles(cards(3));
        gallery.setSelectedIds({});
        gallery.selectNeighbour(-1);
        QCOMPARE(gallery.selectedIds(), QStringList{gallery.idAt(2)});
        gallery.setSelectedIds({});
        gallery.selectNeighbour(1);
        QCOMPARE(gallery.selectedIds(), QStringList{gallery.idAt(0)});
        ui::StyleGallery empty;
        empty.selectNeighbour(1);  // no cards: nothing to pick, no crash
        QVERIFY(empty.selectedIds().isEmpty());
    }
};

}  // namespace stylize

QTEST_MAIN(stylize::StyleGalleryTest)
#include "style_gallery_test.moc"
